#pragma once
// The ToMe lab's method choice: ToMe, PiToMe, ATC or EViT, and each method's own parameters
// (core/reduction/reduction_method.h), as rows of the lab's merging form. Only the chosen method's
// rows are shown; the r and schedule rows above them serve every method unless a PiToMe keep
// ratio or an EViT keep rate replaces them (replacesSchedule).
#include "core/reduction/reduction_method.h"

#include <QObject>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLineEdit;

namespace ts {

class ReductionControls : public QObject {
    Q_OBJECT
public:
    // Adds the rows to `form` (their widgets are children of `parent`).
    ReductionControls(QFormLayout* form, QWidget* parent);

    ReductionOptions options() const;
    void setOptions(const ReductionOptions& options); // emits changed() once
    // Whether the keep ratio (PiToMe) or keep rate (EViT) sets the tokens removed, not r.
    bool replacesSchedule() const;
    QComboBox* methodBox() const { return m_method; }

Q_SIGNALS:
    void changed();

private:
    void showRows();

    QFormLayout* m_form;
    QComboBox* m_method;
    QDoubleSpinBox* m_margin;
    QDoubleSpinBox* m_keepRatio;
    QComboBox* m_linkage;
    QDoubleSpinBox* m_keepRate;
    QLineEdit* m_layers;
    bool m_applying = false;
};

} // namespace ts
