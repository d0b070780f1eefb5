#pragma once
// The ToMe lab's display box: the block slider (replays the recorded merges, no new run), the
// map's opacity, the group borders and the group colours (mean colour, or a distinct random
// colour per group as in the ToMe paper's figures). Changing any of them only repaints.
#include "core/settings/lab_settings.h"

#include <QGroupBox>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;

namespace ts {

class MergeDisplayControls : public QGroupBox {
    Q_OBJECT
public:
    explicit MergeDisplayControls(QWidget* parent = nullptr);

    QSlider* layerSlider() const { return m_layer; }
    QComboBox* coloursBox() const { return m_colours; }
    // The view fields of `s` (layer, opacity, borders, colours) as the controls show them, and
    // the reverse (the layer only when `s.layer` >= 0).
    void writeTo(ToMeSettings& s) const;
    void apply(const ToMeSettings& s);
    // The slider's range for a model of `depth` blocks and the "k / depth" label.
    void setDepth(int depth);
    void updateLabel(int depth);

Q_SIGNALS:
    void changed(); // any control moved

private:
    QSlider* m_layer;
    QLabel* m_layerLabel;
    QSlider* m_opacity;
    QCheckBox* m_borders;
    QComboBox* m_colours;
};

} // namespace ts
