#include "ui/labs/fit/fit_view.h"

#include <QMouseEvent>
#include <QPainter>

namespace ts {

FitView::FitView(QWidget* parent) : QWidget(parent)
{
    setMinimumSize(480, 300);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Click a group to see where its latent tokens look"));
}

void FitView::setPreview(const QImage& image, const Grouping& grouping, int selectedGroup)
{
    m_overlay.reset();
    m_previewImage = image;
    m_previewGrouping = grouping;
    m_previewGroup = selectedGroup;
    m_message.clear();
    update();
}

void FitView::setOverlay(const FitOverlayData& data)
{
    m_overlay = data;
    m_message.clear();
    update();
}

void FitView::clear(const QString& message)
{
    m_overlay.reset();
    m_previewImage = QImage();
    m_message = message;
    update();
}

FitOverlayLayout FitView::layout() const
{
    const QSizeF imageSize = m_overlay ? QSizeF(m_overlay->image.size()) : QSizeF(m_previewImage.size());
    return fitOverlayLayout(QRectF(rect()), imageSize);
}

QRectF FitView::panelRect(int which) const { return which == 0 ? layout().left : layout().right; }

int FitView::groupAt(const QPointF& pos) const
{
    if (m_overlay)
        return fitGroupAt(layout(), m_overlay->grouping, pos);
    if (m_previewImage.isNull() || m_previewGrouping.groups() == 0)
        return -1;
    FitOverlayLayout l = layout();
    l.right = QRectF(); // the preview shows the left panel only
    return fitGroupAt(l, m_previewGrouping, pos);
}

void FitView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setBackground(palette().brush(QPalette::Base)); // figure text follows it (figure_colours.h)
    painter.fillRect(rect(), painter.background());
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    if (m_overlay) {
        paintFitOverlay(painter, QRectF(rect()), *m_overlay);
        return;
    }
    if (!m_previewImage.isNull()) {
        const FitOverlayLayout l = layout();
        paintFitGrouping(painter, l.left, m_previewImage, m_previewGrouping, m_previewGroup);
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(l.right, Qt::AlignCenter | Qt::TextWordWrap,
                         m_message.isEmpty() ? tr("%1 groups of %2 × %2 patches%3")
                                                   .arg(m_previewGrouping.groups())
                                                   .arg(m_previewGrouping.groupSize())
                                                   .arg(m_previewGrouping.padded() ? tr("\n(grid padded at the right and bottom;\npadding is masked out of attention)")
                                                                                   : QString())
                                             : m_message);
        return;
    }
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_message);
}

void FitView::mousePressEvent(QMouseEvent* event)
{
    const int group = groupAt(event->position());
    if (group >= 0)
        Q_EMIT groupClicked(group);
}

} // namespace ts
