#pragma once
// The mask lab: pick up to three schemes and their sizes, see their masks side by side at the
// same scale (coloured by where each key comes from, with the cost computed from the same mask),
// hover for query / key / kind, and the receptive field of a query after a chosen depth.
#include "core/settings/lab_settings.h"
#include "ui/widgets/lab_panel.h"

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;

namespace ts {

class MaskView;
class ReceptiveFieldView;

class MaskPanel : public LabPanel {
    Q_OBJECT
public:
    explicit MaskPanel(QWidget* parent = nullptr);

    std::optional<Figure> currentFigure() const override;
    QByteArray currentDataJson() const override;
    QJsonObject saveState() const override;
    QStringList restoreState(const QJsonObject& state) override;
    // The settings the controls and the view show, and the reverse.
    MaskSettings settings() const;
    void applySettings(const MaskSettings& settings);

    // For tests.
    QComboBox* schemeBox(int i) const { return m_kind[i]; }
    QSpinBox* lengthBox() const { return m_length; }
    QSpinBox* sizeBox(const char* name) const; // "window", "block", "memory", "fam", "group", "latents", "width", "depth"
    QCheckBox* causalBox() const { return m_causal; }
    QCheckBox* arBox() const { return m_ar; }
    MaskView* view() const { return m_view; }
    QString errorText() const;
    QString receptiveFieldText() const;

private:
    // The schemes' and sizes' form (the controls column), and its signals to rebuild().
    QWidget* createControls();
    void connectControls();
    void rebuild();

    QComboBox* m_kind[3];
    QSpinBox *m_length, *m_window, *m_block, *m_memory, *m_fam, *m_group, *m_latents, *m_width, *m_depth;
    QCheckBox *m_causal, *m_ar;
    QLabel *m_error, *m_hover;
    MaskView* m_view;
    ReceptiveFieldView* m_field;
};

} // namespace ts
