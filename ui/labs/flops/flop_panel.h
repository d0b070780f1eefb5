#pragma once
// The FLOP lab: pick models (presets), sequence lengths (a list or a log range), the counting
// convention and a view (curves, ratio to a baseline, stacked breakdown of one model). The
// analytic curves are closed forms (all presets at 64 lengths well under 50 ms, `tokenscope
// bench flops`), so the chart is recomputed synchronously on every edit; no job runner. The
// chart is built with Qt Charts by the same function the figure export and the command line use
// (ui/figures/flop_charts.h); hovering reads the exact values at the nearest length. "Measure"
// runs the app's own forward pass for every checked model at every length up to a limit, on the
// model thread with progress and cancel (core/flops/flop_measure.h, as `tokenscope flops
// --measure`); lengths whose memory estimate does not fit are marked and not run. Measurements
// are kept per (model, length) across edits and saved in sessions. The panel wires its parts
// together: the model list (flop_model_list.h), the measurement store (flop_measurement_store.h),
// the readout (flop_readout.h) and the command builder (flop_chart_settings.h).
#include "core/flops/flop_report.h"
#include "core/settings/lab_settings.h"
#include "ui/figures/flop_curve_figure.h"
#include "ui/labs/flops/flop_measurement_store.h"
#include "ui/widgets/lab_panel.h"

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace ts {

class FlopChartView;
class FlopModelList;
class JobRunner;
class RunStatus;
class Workspace;

class FlopPanel : public LabPanel {
    Q_OBJECT
public:
    explicit FlopPanel(QWidget* parent = nullptr); // without a workspace: no token count marked
    // The chart marks the token count of the workspace's model at its input size (197 for
    // ViT-S/16 at 224 px): where the current image sits on the curves.
    explicit FlopPanel(Workspace* workspace, QWidget* parent = nullptr);

    std::optional<Figure> currentFigure() const override;
    // The same JSON as `tokenscope flops --json` for the models and lengths shown.
    QByteArray currentDataJson() const override;
    // `tokenscope flops --csv` for the same: one row per model and length.
    QByteArray currentDataCsv() const override;
    // flop_models.json when custom models are shown (the figure's command reads it).
    std::vector<std::pair<QString, QByteArray>> commandInputs() const override;
    void runNow() override { startMeasure(); }
    void cancelRun() override;
    QJsonObject saveState() const override;
    QStringList restoreState(const QJsonObject& state) override;

    // For tests.
    QListWidget* presetList() const;
    FlopModelList* modelList() const { return m_models; }
    QLineEdit* lengthsEdit() const { return m_lengths; }
    QComboBox* conventionBox() const { return m_convention; }
    QComboBox* modeBox() const { return m_mode; }
    QComboBox* referenceBox() const { return m_reference; }
    FlopChartView* view() const { return m_view; }
    QComboBox* measureLimitBox() const { return m_measureLimit; }
    QPushButton* measureButton() const { return m_measureButton; }
    RunStatus* runStatus() const { return m_status; }
    JobRunner* runner() const { return m_runner; }
    // Measures every checked model at the shown lengths up to the chosen limit, in the background.
    void startMeasure();
    void clearMeasurements();
    // Custom models (from the editor or a config file) join the list, checked; a custom model of
    // the same name is replaced; a preset's name is refused (ts::Error).
    void addCustomModels(const std::vector<ArchSpec>& specs, bool check = true);
    void removeCustomModel(const QString& name);
    // Adds a config file's models; on error shows the message and returns false.
    bool loadConfigFile(const QString& path);
    const std::vector<ArchSpec>& customModels() const;
    const FlopReport& report() const { return m_report; }
    QString errorText() const;
    QString readoutText() const; // the hover text shown under the chart
    // The hover text for a point of the view (widget coordinates); empty outside the plot.
    QString readoutAt(const QPointF& pos) const;
    // The same text for the index of a plotted length.
    QString readoutForPoint(int index) const;
    // The settings behind the chart as shown (core/settings/lab_settings.h), and the tokenscope
    // command made from them (without the output; the export adds it).
    FlopSettings settings() const;
    QString commandLine() const;
    // The workspace model's token count (0 without a workspace, or for a checkpoint not loaded).
    long long markedLength() const;
    // The one-click length ranges (ViT patch counts, long sequences).
    const std::vector<QPushButton*>& rangeButtons() const { return m_rangeButtons; }

private:
    void buildControls();
    QGroupBox* buildChartBox();
    QGroupBox* buildMeasureBox();
    void connectControls();
    void recompute();
    void reportMeasuredShown();
    void refreshReferenceBox();
    void refreshView();
    FlopCurveOptions options() const;
    void onMeasured(const FlopReport& measured, double seconds);
    FlopReport dataReport() const; // what the data exports hold
    QStringList restoreModels(const QJsonObject& state);
    QStringList restoreMeasurements(const QJsonObject& state);

    Workspace* m_workspace = nullptr;
    std::vector<QPushButton*> m_rangeButtons;
    FlopModelList* m_models;
    QLineEdit* m_lengths;
    QComboBox* m_convention;
    QComboBox* m_mode;
    QLabel* m_referenceLabel;
    QComboBox* m_reference;
    QCheckBox* m_byStage;
    QLabel* m_error;
    QLabel* m_readout;
    QComboBox* m_measureLimit;
    QPushButton* m_measureButton;
    QPushButton* m_clearButton;
    FlopChartView* m_view;
    JobRunner* m_runner;
    RunStatus* m_status;
    FlopMeasurementStore m_measurements;
    FlopReport m_report;      // what the chart shows (kept when an edit is invalid)
    QString m_lengthsShown;   // the lengths text behind m_report
    bool m_restoring = false; // suppresses recomputes while restoreState sets several controls
};

} // namespace ts
