#include "ui/labs/fit/fit_view.h"

#include "ui/figures/figure_layout.h"

#include <QMouseEvent>
#include <QPainter>

namespace ts {

namespace {
const QSize kMinimum(480, 300);
}

FitView::FitView(QWidget* parent) : QWidget(parent)
{
    setMinimumSize(kMinimum);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Click a group to see where its latent tokens look"));
}

void FitView::setPreview(const QImage& image, const Grouping& grouping, int selectedGroup)
{
    m_overlay.reset();
    const QString message = tr("%1 groups of %2 × %2 patches%3")
                                .arg(grouping.groups())
                                .arg(grouping.groupSize())
                                .arg(grouping.padded() ? tr("\n(grid padded at the right and bottom;\npadding is masked out of attention)")
                                                       : QString());
    m_preview = fitPreviewData(image, grouping, selectedGroup, message);
    m_message.clear();
    update();
}

void FitView::setOverlay(const FitOverlayData& data)
{
    m_overlay = data;
    m_message.clear();
    // Below the size at which every data area stays usable the panel's scroll area scrolls.
    setMinimumSize(kMinimum.expandedTo(usableFigureSize(fitOverlaySpec(data)).toSize()));
    update();
}

void FitView::clear(const QString& message)
{
    m_overlay.reset();
    m_preview.reset();
    m_message = message;
    update();
}

const FitOverlayData* FitView::shown() const
{
    if (m_overlay)
        return &*m_overlay;
    return m_preview && !m_preview->image.isNull() ? &*m_preview : nullptr;
}

FitOverlayLayout FitView::layout() const { return shown() ? fitOverlayLayout(QRectF(rect()), *shown()) : FitOverlayLayout{}; }

QRectF FitView::panelRect(int which) const { return which == 0 ? layout().left : layout().right; }

int FitView::groupAt(const QPointF& pos) const
{
    if (!shown() || shown()->grouping.groups() == 0)
        return -1;
    FitOverlayLayout l = layout();
    if (!m_overlay)
        l.right = QRectF(); // the preview shows the grouping in the left panel only
    return fitGroupAt(l, shown()->grouping, pos);
}

void FitView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setBackground(palette().brush(QPalette::Base)); // figure text follows it (figure_colours.h)
    painter.fillRect(rect(), painter.background());
    painter.setRenderHint(QPainter::Antialiasing);
    if (shown()) {
        paintFitOverlay(painter, QRectF(rect()), *shown());
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
