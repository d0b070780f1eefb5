#include "ui/labs/compare/compare_view.h"

#include <QMouseEvent>

namespace ts {

CompareView::CompareView(QWidget* parent) : FigureView(parent) { setFillsView(true); }

void CompareView::setCompare(const Figure& figure, const CompareData& data)
{
    m_data = data;
    setFigure(figure);
}

int CompareView::patchAt(const QPointF& pos) const
{
    if (!figure() || figureRect().isEmpty())
        return -1;
    return comparePatchAt(paintTarget(), m_data, toFigure(pos));
}

void CompareView::mousePressEvent(QMouseEvent* event)
{
    const int patch = patchAt(event->position());
    if (patch >= 0)
        Q_EMIT patchClicked(patch);
}

} // namespace ts
