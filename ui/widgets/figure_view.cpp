#include "ui/widgets/figure_view.h"

#include "ui/widgets/stale_mark.h"

#include <QPainter>

namespace ts {

FigureView::FigureView(QWidget* parent) : QWidget(parent) { setMinimumSize(400, 280); }

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

QRectF FigureView::figureRect() const
{
    if (!m_figure)
        return {};
    const QRectF mark = staleRect();
    return mark.isEmpty() ? QRectF(rect()) : QRectF(rect()).adjusted(0, mark.bottom() + 2, 0, 0);
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
    // The figure laid out in the whole widget: a figure on the shared layout
    // (ui/figures/figure_layout.h) fills it with text at the type scale; one that scales itself
    // to its target fits it, centred.
    m_figure->paint(painter, figureRect());
    paintStaleMark(painter, staleRect(), m_stale);
}

} // namespace ts
