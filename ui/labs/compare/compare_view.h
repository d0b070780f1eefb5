#pragma once
// Shows the Compare figure (ui/figures/compare_figure.h) laid out in the whole view (its text at
// the type scale, its maps and chart taking the space, no band left blank) and turns a click on
// any of its maps into a patch pick (the lab then shows that patch's lineage in every map).
#include "ui/figures/compare_figure.h"
#include "ui/widgets/figure_view.h"

namespace ts {

class CompareView : public FigureView {
    Q_OBJECT
public:
    explicit CompareView(QWidget* parent = nullptr);
    void setCompare(const Figure& figure, const CompareData& data);
    // The patch under a widget position, or -1.
    int patchAt(const QPointF& pos) const;

Q_SIGNALS:
    void patchClicked(int patch);

protected:
    void mousePressEvent(QMouseEvent* event) override;

private:
    CompareData m_data;
};

} // namespace ts
