#include "ui/widgets/figure_view.h"

#include "ui/widgets/stale_mark.h"

#include <QMouseEvent>
#include <QPainter>

namespace ts {

namespace {
const QSize kMinimum(400, 280);
} // namespace

FigureView::FigureView(QWidget* parent) : QWidget(parent) { setMinimumSize(kMinimum); }

void FigureView::setFillMinimum(const QSizeF& size)
{
    m_fillMinimum = size.toSize();
    setMinimumSize(m_fills ? kMinimum.expandedTo(m_fillMinimum) : kMinimum);
}

void FigureView::setFigure(const Figure& figure)
{
    m_figure = figure;
    m_message.clear();
    m_stale.clear();
    update();
}

void FigureView::clear(const QString& message)
{
    m_figure.reset();
    m_message = message;
    m_stale.clear();
    update();
}

void FigureView::setStale(const QString& reason)
{
    m_stale = reason;
    update();
}

QRectF FigureView::staleRect() const { return m_figure ? staleMarkRect(width(), m_stale) : QRectF(); }

QRectF FigureView::markedArea() const
{
    const QRectF mark = staleRect();
    return mark.isEmpty() ? QRectF(rect()) : QRectF(rect()).adjusted(0, mark.bottom() + 2, 0, 0);
}

void FigureView::setFillsView(bool fills)
{
    m_fills = fills;
    setFillMinimum(m_fillMinimum);
    update();
}

QRectF FigureView::figureRect() const
{
    const QRectF area = markedArea();
    if (m_fills && m_figure)
        return area;
    if (!m_figure || m_figure->size.isEmpty())
        return {};
    const QSizeF size = m_figure->size.scaled(area.size(), Qt::KeepAspectRatio);
    return QRectF(area.topLeft() + QPointF((area.width() - size.width()) / 2, (area.height() - size.height()) / 2), size);
}

QRectF FigureView::paintTarget() const
{
    if (!m_figure)
        return {};
    return m_fills ? figureRect() : QRectF(QPointF(0, 0), m_figure->size);
}

QPointF FigureView::toFigure(const QPointF& widgetPoint) const
{
    const QRectF target = figureRect();
    if (target.isEmpty())
        return {};
    if (m_fills)
        return widgetPoint;
    const QPointF local = widgetPoint - target.topLeft();
    return {local.x() * m_figure->size.width() / target.width(), local.y() * m_figure->size.height() / target.height()};
}

void FigureView::mousePressEvent(QMouseEvent* event)
{
    if (m_figure && figureRect().contains(event->position()))
        Q_EMIT clicked(toFigure(event->position()));
    QWidget::mousePressEvent(event);
}

void FigureView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    // The palette's base colour, also as the painter's background so figure text follows it
    // (ui/figures/figure_colours.h); exports stay black on white.
    painter.setBackground(palette().brush(QPalette::Base));
    painter.fillRect(rect(), painter.background());
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    if (!m_figure) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_message);
        return;
    }
    paintStaleMark(painter, staleRect(), m_stale);
    if (m_fills) {
        m_figure->paint(painter, paintTarget());
        return;
    }
    // Paint at the figure's natural size, scaled, so text and lines keep their proportions.
    const QRectF target = figureRect();
    painter.translate(target.topLeft());
    painter.scale(target.width() / m_figure->size.width(), target.height() / m_figure->size.height());
    m_figure->paint(painter, paintTarget());
}

} // namespace ts
