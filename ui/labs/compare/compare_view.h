#pragma once
// Shows the Compare figure (ui/figures/compare_figure.h) at the view's size and turns a click on
// any of its maps into a patch pick (the lab then shows that patch's lineage in every map).
#include "ui/figures/compare_figure.h"
#include "ui/widgets/figure_view.h"

namespace ts {

class CompareView : public FigureView {
    Q_OBJECT
public:
    using FigureView::FigureView;
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
