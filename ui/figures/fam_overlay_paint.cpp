// Painting of the FAM figure (ui/figures/fam_overlay_figure.h): the image with its blocks and the
// attention on the memory segments and the chosen block, and the key grid.
#include "ui/figures/fam_overlay_figure.h"

#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_record.h"
#include "ui/figures/figure_type.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace ts {
namespace {

const QColor kMemoryLine(255, 127, 14), kBlockLine(255, 220, 0), kQueryLine(0, 220, 255), kUnseen(150, 150, 150);

QRectF cellRect(const QRectF& box, int grid, std::int64_t token)
{
    const double c = box.width() / grid;
    return {box.left() + static_cast<double>(token % grid) * c, box.top() + static_cast<double>(token / grid) * c, c, c};
}

QColor keyColour(const ColourBar& bar, float v) { return v > 0 ? colourBarColour(bar, v) : kUnseen; }

// The outline of a raster run of patches [first, first + count): up to three rectangles united.
QPainterPath runOutline(const QRectF& box, int grid, std::int64_t first, std::int64_t count)
{
    QPainterPath path;
    for (std::int64_t t = first; t < first + count; ++t)
        path.addRect(cellRect(box, grid, t));
    return path.simplified();
}

// A line drawn twice, dark under light, so it shows on every colour.
void strokeOutlined(QPainter& p, const QPainterPath& path, const QColor& colour)
{
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(Qt::black, 3.5));
    p.drawPath(path);
    p.setPen(QPen(colour, 1.8));
    p.drawPath(path);
}

// Each block's number at its first patch, where it does not cover the last one placed.
void labelBlocks(QPainter& p, const QRectF& box, const FamOverlayData& d)
{
    const QFontMetricsF metrics(figureFont(TextRole::Annotation));
    QRectF last;
    for (std::int64_t k = 0; k < d.blocks; ++k) {
        const QString text = QString::number(k);
        const QRectF cell = cellRect(box, d.grid, k * d.block);
        const QRectF label(cell.topLeft() + QPointF(1, 1), QSizeF(metrics.horizontalAdvance(text) + 4, metrics.height()));
        if (label.intersects(last) || !box.contains(label))
            continue;
        p.fillRect(label, QColor(0, 0, 0, 150));
        p.setPen(Qt::white);
        drawFigureText(p, label, Qt::AlignCenter, text, TextRole::Annotation);
        last = label;
    }
}

void paintImagePanel(QPainter& p, const QRectF& box, const FamOverlayData& d)
{
    p.drawImage(box, d.image);
    const std::int64_t patches = std::int64_t(d.grid) * d.grid;
    p.setRenderHint(QPainter::Antialiasing, false);
    for (std::int64_t t = 0; t < patches; ++t) // alternate blocks tinted, so their raster runs show
        if ((t / d.block) % 2 == 1)
            p.fillRect(cellRect(box, d.grid, t), QColor(255, 255, 255, 50));
    if (d.hasAttention()) {
        p.fillRect(box, QColor(0, 0, 0, 120)); // everything but the keys dimmed
        for (std::size_t i = 0; i < d.memoryAttention.size(); ++i)
            p.fillRect(cellRect(box, d.grid, d.memoryFirstToken + std::int64_t(i)), keyColour(d.bar, d.memoryAttention[i]));
        for (std::size_t i = 0; i < d.attention.size(); ++i)
            p.fillRect(cellRect(box, d.grid, d.firstToken + std::int64_t(i)), keyColour(d.bar, d.attention[i]));
    }
    p.setRenderHint(QPainter::Antialiasing, true);
    if (d.hasAttention()) {
        for (std::int64_t first = d.memoryFirstToken; first < d.firstToken; first += d.block)
            strokeOutlined(p, runOutline(box, d.grid, first, d.block), kMemoryLine);
        strokeOutlined(p, runOutline(box, d.grid, d.firstToken, std::int64_t(d.attention.size())), kBlockLine);
        if (d.query >= 0 && d.query < static_cast<int>(d.attention.size()))
            strokeOutlined(p, runOutline(box, d.grid, d.firstToken + d.query, 1), kQueryLine);
    }
    labelBlocks(p, box, d);
}

// One row per memory segment, the previous FAM and the block, labelled `rows`.
void paintKeyGrid(QPainter& p, const PanelBoxes& panel, const FamOverlayData& d, const QStringList& rows)
{
    const QRectF box = panel.data;
    const int columns = std::max(d.block, d.fam);
    const int segments = static_cast<int>(d.memoryAttention.size()) / std::max(1, d.block);
    const int rowCount = static_cast<int>(rows.size());
    QImage cells(columns, rowCount, QImage::Format_ARGB32);
    cells.fill(Qt::transparent);
    auto fillRow = [&](int row, const float* v, std::size_t n) {
        for (std::size_t c = 0; c < n; ++c)
            cells.setPixelColor(static_cast<int>(c), row, keyColour(d.bar, v[c]));
    };
    for (int s = 0; s < segments; ++s)
        fillRow(s, d.memoryAttention.data() + std::size_t(s) * d.block, std::size_t(d.block));
    if (d.fam > 0)
        fillRow(segments, d.famAttention.data(), d.famAttention.size());
    fillRow(rowCount - 1, d.attention.data(), d.attention.size());
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(box, cells);
    p.restore();
    const double cw = box.width() / columns, rh = box.height() / rowCount;
    auto rowRect = [&](int row, int n) { return QRectF(box.left(), box.top() + row * rh, n * cw, rh); };
    auto outline = [&](const QRectF& r, const QColor& c) {
        QPainterPath path;
        path.addRect(r);
        strokeOutlined(p, path, c);
    };
    for (int s = 0; s < segments; ++s)
        outline(rowRect(s, d.block), kMemoryLine);
    outline(rowRect(rowCount - 1, static_cast<int>(d.attention.size())), kBlockLine);
    const int n = static_cast<int>(d.attention.size());
    if (d.query >= 0) {
        const int row = d.query < n ? rowCount - 1 : segments;
        const int col = d.query < n ? d.query : d.query - n;
        outline(QRectF(box.left() + col * cw, box.top() + row * rh, cw, rh), kQueryLine);
    }
    // Row labels where rows are tall enough for them, else every k-th.
    const double line = QFontMetricsF(figureFont(TextRole::TickLabel)).height();
    const int every = std::max(1, static_cast<int>(std::ceil(line / rh)));
    for (int r = rowCount - 1; r >= 0; r -= every)
        paintYTick(p, panel, box.top() + (r + 0.5) * rh, rows[r]);
    paintXTick(p, panel, box.left() + 0.5 * cw, QStringLiteral("0"));
    if (columns > 1)
        paintXTick(p, panel, box.right() - 0.5 * cw, QString::number(columns - 1));
}

} // namespace

QRectF famOverlayImageRect(const QRectF& target, const FamOverlayData& d)
{
    if (!d.hasImage())
        return {};
    return layoutFigure(famOverlaySpec(d), target).panels.at(0).data;
}

int famPatchAt(const QRectF& target, const FamOverlayData& d, const QPointF& point)
{
    const QRectF box = famOverlayImageRect(target, d);
    if (!box.contains(point))
        return -1;
    const int col = std::clamp(int((point.x() - box.left()) / box.width() * d.grid), 0, d.grid - 1);
    const int row = std::clamp(int((point.y() - box.top()) / box.height() * d.grid), 0, d.grid - 1);
    return row * d.grid + col;
}

void paintFamOverlay(QPainter& p, const QRectF& target, const FamOverlayData& d)
{
    const FigureSpec spec = famOverlaySpec(d);
    const FigureBoxes boxes = layoutFigure(spec, target);
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    if (d.hasImage()) {
        const QRectF box = boxes.panels.at(0).data;
        recordFigureBox(p, box, PlacedKind::Data, QStringLiteral("image"));
        paintImagePanel(p, box, d);
        p.setPen(QPen(Qt::gray, 1));
        p.setBrush(Qt::NoBrush);
        p.drawRect(box);
    }
    if (d.hasAttention()) {
        const PanelBoxes& keys = boxes.panels.back();
        recordFigureBox(p, keys.data, PlacedKind::Data, QStringLiteral("key grid"));
        paintKeyGrid(p, keys, d, spec.panels.back().yTickLabels);
    }
    paintFigureFrame(p, boxes, spec);
    p.restore();
}

} // namespace ts
