#include "ui/labs/tome/merge_view.h"

#include "ui/widgets/stale_mark.h"

#include <QMouseEvent>
#include <QPainter>

namespace ts {

MergeView::MergeView(QWidget* parent) : QWidget(parent)
{
    setMinimumSize(480, 300);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Click a region to see its lineage: which patches it holds and after which block each joined"));
}

void MergeView::setData(const MergeMapData& data)
{
    m_data = data;
    m_message.clear();
    m_stale.clear();
    update();
}

void MergeView::clear(const QString& message)
{
    m_data = {};
    m_message = message;
    m_stale.clear();
    update();
}

void MergeView::setStale(const QString& reason)
{
    m_stale = reason;
    update();
}

QString MergeView::staleText() const { return hasData() ? staleMarkText(m_stale) : QString(); }

QRectF MergeView::staleRect() const { return hasData() ? staleMarkRect(width(), m_stale) : QRectF(); }

MergeMapData MergeView::shownData() const
{
    MergeMapData shown = m_data;
    if (!staleText().isEmpty())
        shown.title.clear(); // the mark takes the title's row
    return shown;
}

QRectF MergeView::figureRect() const
{
    const QRectF mark = staleRect();
    return mark.isEmpty() ? QRectF(rect()) : QRectF(rect()).adjusted(0, mark.bottom() + 2, 0, 0);
}

int MergeView::patchAt(const QPointF& pos) const
{
    if (!hasData() || m_data.grid <= 0)
        return -1;
    const MergeMapLayout l = mergeMapLayout(shownData(), figureRect());
    for (const QRectF& panel : {l.input, l.map, l.lineage}) {
        if (!panel.isEmpty() && panel.contains(pos)) {
            const int x = std::min(m_data.grid - 1, static_cast<int>((pos.x() - panel.left()) / panel.width() * m_data.grid));
            const int y = std::min(m_data.grid - 1, static_cast<int>((pos.y() - panel.top()) / panel.height() * m_data.grid));
            return y * m_data.grid + x;
        }
    }
    return -1;
}

void MergeView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    // The palette's base colour, also as the painter's background so figure text follows it
    // (ui/figures/figure_colours.h); exports stay black on white.
    painter.setBackground(palette().brush(QPalette::Base));
    painter.fillRect(rect(), painter.background());
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    if (!hasData()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_message);
        return;
    }
    paintMergeMap(painter, figureRect(), shownData());
    paintStaleMark(painter, staleRect(), m_stale);
}

void MergeView::mousePressEvent(QMouseEvent* event)
{
    const int patch = patchAt(event->position());
    if (patch >= 0)
        Q_EMIT patchClicked(patch);
}

} // namespace ts
