#include "ui/labs/compare/compare_view.h"

#include <QMouseEvent>

namespace ts {

void CompareView::setCompare(const Figure& figure, const CompareData& data)
{
    m_data = data;
    setFigure(figure);
}

int CompareView::patchAt(const QPointF& pos) const
{
    const QRectF shown = figureRect();
    if (!figure() || shown.isEmpty())
        return -1;
    // The view paints the figure at its natural size, scaled into `shown`.
    const QSizeF natural = figure()->size;
    const QPointF p((pos.x() - shown.left()) * natural.width() / shown.width(), (pos.y() - shown.top()) * natural.height() / shown.height());
    return comparePatchAt(QRectF(QPointF(0, 0), natural), m_data, p);
}

void CompareView::mousePressEvent(QMouseEvent* event)
{
    const int patch = patchAt(event->position());
    if (patch >= 0)
        Q_EMIT patchClicked(patch);
}

} // namespace ts
