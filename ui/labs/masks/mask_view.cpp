#include "ui/labs/masks/mask_view.h"

#include <QMouseEvent>
#include <QObject>
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

void MaskView::setMasks(std::vector<std::shared_ptr<const AttentionMask>> masks, int width, std::int64_t block, std::int64_t group)
{
    m_masks = std::move(masks);
    m_width = width;
    m_block = block;
    m_group = group;
    if (!m_masks.empty())
        m_region = fullRegion(*m_masks.front());
    rebuild();
    // The readout under a resting cursor describes the new masks.
    if (m_hoverPoint)
        Q_EMIT hovered(readoutAt(*m_hoverPoint));
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

MaskSettings MaskView::settingsForSize(int side) const
{
    MaskSettings s;
    s.pixels = s.panelSide = std::max(32, side); // the raster matches the screen's pixels
    s.width = m_width;
    s.block = m_block;
    s.group = m_group;
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
    // The same panels and caption as `tokenscope mask` draws from the same settings; the
    // raster side is the one the layout gives the panels at this widget's size.
    std::vector<const AttentionMask*> masks;
    for (const auto& mask : m_masks)
        masks.push_back(mask.get());
    const int guess = m_shown.pixels > 0 ? m_shown.pixels : 256;
    m_shown = settingsForSize(guess);
    m_data = maskFigureData(masks, m_shown);
    const MaskFigureLayout layout = maskFigureLayout(QRectF(rect()), m_data);
    const int side = layout.panels.empty() ? guess : static_cast<int>(std::floor(layout.panels.front().width()));
    if (std::abs(side - guess) > 1) {
        m_shown = settingsForSize(side);
        m_data = maskFigureData(masks, m_shown);
    }
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
    paintHoverMarks(p);
}

void MaskView::paintHoverMarks(QPainter& p) const
{
    // The data token under the cursor, marked in every panel (on screen only).
    int panel = 0;
    double qf = 0, kf = 0;
    if (!m_hoverPoint || !hit(*m_hoverPoint, &panel, &qf, &kf))
        return;
    const AttentionMask& hovered = *m_masks[static_cast<std::size_t>(panel)];
    const std::int64_t tq = hovered.dataTokensBefore(static_cast<std::int64_t>(qf), false);
    const std::int64_t tk = hovered.dataTokensBefore(static_cast<std::int64_t>(kf), true);
    const MaskFigureLayout layout = maskFigureLayout(QRectF(rect()), m_data);
    p.save();
    p.setPen(QPen(QColor(0, 0, 0, 150), 1, Qt::DashLine));
    for (std::size_t i = 0; i < layout.panels.size() && i < m_masks.size(); ++i) {
        const QRectF box = layout.panels[i];
        const MaskRegion& r = m_data.panels[i].region;
        const double q = static_cast<double>(m_masks[i]->positionOfDataToken(tq, false)) + 0.5;
        const double k = static_cast<double>(m_masks[i]->positionOfDataToken(tk, true)) + 0.5;
        const double y = box.top() + (q - r.q0) / r.height() * box.height(), x = box.left() + (k - r.k0) / r.width() * box.width();
        if (y >= box.top() && y <= box.bottom())
            p.drawLine(QPointF(box.left(), y), QPointF(box.right(), y));
        if (x >= box.left() && x <= box.right())
            p.drawLine(QPointF(x, box.top()), QPointF(x, box.bottom()));
    }
    p.restore();
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

namespace {

// " (data token 5)" where a layout's positions are not the data tokens (FAM); "" otherwise.
QString dataTokenNote(const AttentionMask& mask, std::int64_t position, bool keyAxis)
{
    const std::int64_t size = keyAxis ? mask.keys() : mask.queries();
    if (size == mask.dataLength() || size < mask.dataLength())
        return {};
    const std::int64_t before = mask.dataTokensBefore(position, keyAxis);
    if (mask.dataTokensBefore(position + 1, keyAxis) == before || position >= size)
        return {}; // not a data token (a FAM or latent position)
    return QObject::tr(" (data token %1)").arg(before);
}

} // namespace

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
    return tr("%1 · query %2 = %3%4 · key %5 = %6%7 · %8")
        .arg(QString::fromStdString(mask.name()))
        .arg(q)
        .arg(QString::fromStdString(mask.describeQuery(q)), dataTokenNote(mask, q, false))
        .arg(k)
        .arg(QString::fromStdString(mask.describeKey(k)), dataTokenNote(mask, k, true))
        .arg(allowed ? tr("allowed (%1)").arg(QString::fromUtf8(keyKindName(kind))) : tr("masked"));
}

void MaskView::wheelEvent(QWheelEvent* event)
{
    int panel = 0;
    double q = 0, k = 0;
    if (!hit(event->position(), &panel, &q, &k))
        return;
    // Panels show the same data tokens: the point's place in its panel is its place in the first.
    const MaskRegion& shown = m_data.panels[static_cast<std::size_t>(panel)].region;
    q = m_region.q0 + (q - shown.q0) / static_cast<double>(shown.height()) * static_cast<double>(m_region.height());
    k = m_region.k0 + (k - shown.k0) / static_cast<double>(shown.width()) * static_cast<double>(m_region.width());
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
    m_hoverPoint = event->position();
    update();
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

void MaskView::leaveEvent(QEvent*)
{
    m_hoverPoint.reset();
    update();
    Q_EMIT hovered(QString());
}

void MaskView::mouseDoubleClickEvent(QMouseEvent*) { resetZoom(); }

} // namespace ts
