#pragma once
// The FLOP lab: pick models (presets), sequence lengths (a list or a log range), the counting
// convention and a view (curves, ratio to a baseline, stacked breakdown of one model). The
// analytic curves are closed forms (all presets at 64 lengths well under 50 ms, `tokenscope
// bench flops`), so the chart is recomputed synchronously on every edit; no job runner. The
// chart is the same QPainter figure the command line exports (ui/figures/flop_curve_figure.h);
// hovering reads the exact values at the nearest length. Measured runs stay on the command line
// (`tokenscope flops --measure`): they build and run real models and can take minutes.
#include "core/flops/flop_report.h"
#include "ui/figures/flop_curve_figure.h"
#include "ui/lab_panel.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace ts {

class FigureView;

class FlopPanel : public LabPanel {
    Q_OBJECT
public:
    explicit FlopPanel(QWidget* parent = nullptr);

    std::optional<Figure> currentFigure() const override;
    // The same JSON as `tokenscope flops --json` for the models and lengths shown.
    QByteArray currentDataJson() const override;
    QJsonObject saveState() const override;
    void restoreState(const QJsonObject& state) override;

    // For tests.
    QListWidget* presetList() const { return m_presets; }
    QLineEdit* lengthsEdit() const { return m_lengths; }
    QComboBox* conventionBox() const { return m_convention; }
    QComboBox* modeBox() const { return m_mode; }
    QComboBox* referenceBox() const { return m_reference; }
    FigureView* view() const { return m_view; }
    const FlopReport& report() const { return m_report; }
    QString errorText() const;
    QString readoutText() const; // the hover text shown under the chart
    // The hover text for a point of the view (widget coordinates); empty outside the plot.
    QString readoutAt(const QPointF& pos) const;
    // The tokenscope command that draws the chart as shown.
    QString commandLine() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void recompute();
    void refreshReferenceBox();
    void refreshView();
    QStringList checkedPresets() const;
    FlopCurveOptions options() const;

    QListWidget* m_presets;
    QLineEdit* m_lengths;
    QComboBox* m_convention;
    QComboBox* m_mode;
    QLabel* m_referenceLabel;
    QComboBox* m_reference;
    QCheckBox* m_byStage;
    QLabel* m_error;
    QLabel* m_readout;
    FigureView* m_view;
    FlopReport m_report;      // what the chart shows (kept when an edit is invalid)
    QString m_lengthsShown;   // the lengths text behind m_report
    bool m_restoring = false; // suppresses recomputes while restoreState sets several controls
};

} // namespace ts
