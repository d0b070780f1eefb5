#include "ui/labs/masks/mask_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ts {

MaskView::MaskView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(360, 300);
}

void MaskView::setMasks(std::vector<std::shared_ptr<const AttentionMask>> masks, int width)
{
    m_masks = std::move(masks);
    m_width = width;
    if (!m_masks.empty())
        m_region = fullRegion(*m_masks.front());
    rebuild();
}

void MaskView::resetZoom()
{
    if (!m_masks.empty())
        setRegion(fullRegion(*m_masks.front()));
}

void MaskView::setRegion(const MaskRegion& region)
{
    if (m_masks.empty())
        return;
    const AttentionMask& first = *m_masks.front();
    MaskRegion r = region;
    // Keep at least one position and stay inside the first mask.
    auto clamp = [](std::int64_t& a, std::int64_t& b, std::int64_t n) {
        std::int64_t size = std::clamp<std::int64_t>(b - a, 1, n);
        a = std::clamp<std::int64_t>(a, 0, n - size);
        b = a + size;
    };
    clamp(r.q0, r.q1, first.queries());
    clamp(r.k0, r.k1, first.keys());
    m_region = r;
    rebuild();
    Q_EMIT regionChanged();
}

MaskSettings MaskView::settingsForSize() const
{
    MaskSettings s;
    // Panel side from the widget, so the raster matches the screen's pixels.
    const double n = static_cast<double>(std::max<std::size_t>(1, m_masks.size()));
    const int side = std::max(64, static_cast<int>(std::min((width() - 80 - 28 * (n - 1)) / n, height() - 150.0)));
    s.pixels = s.panelSide = side;
    s.width = m_width;
    if (!m_masks.empty()) {
        const MaskRegion whole = fullRegion(*m_masks.front());
        if (m_region.q0 != whole.q0 || m_region.q1 != whole.q1 || m_region.k0 != whole.k0 || m_region.k1 != whole.k1) {
            s.region[0] = m_region.q0;
            s.region[1] = m_region.q1;
            s.region[2] = m_region.k0;
            s.region[3] = m_region.k1;
        }
    }
    return s;
}

void MaskView::rebuild()
{
    m_data = MaskFigureData();
    if (m_masks.empty()) {
        update();
        return;
    }
    // The same panels and caption as `tokenscope mask` draws from the same settings.
    std::vector<const AttentionMask*> masks;
    for (const auto& mask : m_masks)
        masks.push_back(mask.get());
    m_shown = settingsForSize();
    m_data = maskFigureData(masks, m_shown);
    update();
}

Figure MaskView::figure() const
{
    return maskFigure(m_data, QString(), QString());
}

void MaskView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setBackground(palette().brush(QPalette::Base)); // figure text follows it (figure_colours.h)
    p.fillRect(rect(), p.background());
    p.setPen(palette().color(QPalette::Text));
    if (m_data.panels.empty()) {
        p.drawText(rect(), Qt::AlignCenter, tr("No mask"));
        return;
    }
    paintMaskFigure(p, QRectF(rect()), m_data);
}

void MaskView::resizeEvent(QResizeEvent*) { rebuild(); }

bool MaskView::hit(const QPointF& point, int* panel, double* query, double* key) const
{
    if (m_data.panels.empty())
        return false;
    const MaskFigureLayout layout = maskFigureLayout(QRectF(rect()), m_data);
    for (std::size_t i = 0; i < layout.panels.size(); ++i) {
        const QRectF box = layout.panels[i];
        if (!box.contains(point))
            continue;
        const MaskRegion& r = m_data.panels[i].region;
        *panel = static_cast<int>(i);
        *query = r.q0 + (point.y() - box.top()) / box.height() * static_cast<double>(r.height());
        *key = r.k0 + (point.x() - box.left()) / box.width() * static_cast<double>(r.width());
        return true;
    }
    return false;
}

QString MaskView::readoutAt(const QPointF& point) const
{
    int panel = 0;
    double qf = 0, kf = 0;
    if (!hit(point, &panel, &qf, &kf))
        return {};
    const AttentionMask& mask = *m_masks[static_cast<std::size_t>(panel)];
    const auto q = std::clamp<std::int64_t>(static_cast<std::int64_t>(qf), 0, mask.queries() - 1);
    const auto k = std::clamp<std::int64_t>(static_cast<std::int64_t>(kf), 0, mask.keys() - 1);
    KeyKind kind;
    const bool allowed = mask.kindAt(q, k, &kind);
    return tr("%1 · query %2 = %3 · key %4 = %5 · %6")
        .arg(QString::fromStdString(mask.name()))
        .arg(q)
        .arg(QString::fromStdString(mask.describeQuery(q)))
        .arg(k)
        .arg(QString::fromStdString(mask.describeKey(k)))
        .arg(allowed ? tr("allowed (%1)").arg(QString::fromUtf8(keyKindName(kind))) : tr("masked"));
}

void MaskView::wheelEvent(QWheelEvent* event)
{
    int panel = 0;
    double q = 0, k = 0;
    if (!hit(event->position(), &panel, &q, &k))
        return;
    const double factor = event->angleDelta().y() > 0 ? 0.8 : 1.25;
    // Zoom about the point under the cursor: it stays where it is.
    auto scaled = [factor](double centre, std::int64_t a, std::int64_t b, std::int64_t* na, std::int64_t* nb) {
        const double size = std::max(1.0, std::round((b - a) * factor));
        const double t = (centre - a) / static_cast<double>(b - a);
        *na = static_cast<std::int64_t>(std::llround(centre - t * size));
        *nb = *na + static_cast<std::int64_t>(size);
    };
    MaskRegion r = m_region;
    scaled(q, m_region.q0, m_region.q1, &r.q0, &r.q1);
    scaled(k, m_region.k0, m_region.k1, &r.k0, &r.k1);
    setRegion(r);
    event->accept();
}

void MaskView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_dragging = true;
    m_dragStart = event->position();
    m_dragRegion = m_region;
}

void MaskView::mouseMoveEvent(QMouseEvent* event)
{
    if (m_dragging && !m_data.panels.empty()) {
        const MaskFigureLayout layout = maskFigureLayout(QRectF(rect()), m_data);
        const QRectF box = layout.panels.front();
        const QPointF d = event->position() - m_dragStart;
        MaskRegion r = m_dragRegion;
        const auto dq = static_cast<std::int64_t>(std::llround(-d.y() / box.height() * static_cast<double>(r.height())));
        const auto dk = static_cast<std::int64_t>(std::llround(-d.x() / box.width() * static_cast<double>(r.width())));
        r.q0 += dq;
        r.q1 += dq;
        r.k0 += dk;
        r.k1 += dk;
        setRegion(r);
    }
    Q_EMIT hovered(readoutAt(event->position()));
}

void MaskView::mouseReleaseEvent(QMouseEvent*) { m_dragging = false; }

void MaskView::mouseDoubleClickEvent(QMouseEvent*) { resetZoom(); }

} // namespace ts
