#include "ui/figures/figure_layout.h"

#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_record.h"
#include "ui/figures/panel_boxes.h"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace ts {
using layout::lineHeight;
using layout::Margins;
using layout::textWidth;
namespace {

constexpr double kBarWidth = 14, kSwatch = 14, kLegendPad = 6, kEntryGap = 16;
// Text is measured this much narrower than it is drawn, so a painter whose own metrics (another
// device, a scaled painter) run a little wider never needs one more line.
constexpr double kWrapSlack = 6;

// Legend entries flowed into rows of at most `width`; returns the box size, fills `entries`
// relative to the box's top-left.
QSizeF flowLegend(const std::vector<LegendEntry>& legend, double width, std::vector<QRectF>* entries)
{
    if (legend.empty())
        return {};
    const double row = lineHeight(TextRole::Legend) + 4;
    double x = kLegendPad, y = kLegendPad, right = 0;
    for (const LegendEntry& e : legend) {
        const double w = kSwatch + 5 + textWidth(e.text, TextRole::Legend);
        if (x > kLegendPad && x + w > width - kLegendPad) {
            x = kLegendPad;
            y += row;
        }
        if (entries)
            entries->push_back(QRectF(x, y, w, row));
        right = std::max(right, x + w);
        x += w + kEntryGap;
    }
    return {right + kLegendPad, y + row + kLegendPad};
}

} // namespace

double textBlockHeight(const QStringList& lines, double width, TextRole role)
{
    const QFontMetricsF metrics(figureFont(role));
    double h = 0;
    for (const QString& line : lines)
        h += std::max(lineHeight(role),
                      std::ceil(metrics.boundingRect(QRectF(0, 0, std::max(1.0, width - kWrapSlack), 1e6), Qt::TextWordWrap, line).height()) + 1);
    return h;
}

double colourBarColumnWidth(const ColourBar& bar)
{
    QStringList labels{colourBarNumber(bar.lo), colourBarNumber(bar.hi)};
    for (double t : colourBarTicks(bar.lo, bar.hi))
        labels << colourBarNumber(t);
    const bool inside = bar.reference >= bar.lo && bar.reference <= bar.hi;
    if (bar.reference >= 0 && inside)
        labels << bar.referenceLabel;
    double w = kBarWidth + 7;
    for (const QString& s : labels)
        w = std::max(w, kBarWidth + 7 + textWidth(s, TextRole::TickLabel));
    if (bar.reference >= 0 && !inside) // named above or below the bar, from its left edge
        w = std::max(w, textWidth(QStringLiteral("▲ ") + bar.referenceLabel, TextRole::TickLabel));
    return w;
}

namespace {

struct Rows {
    double title = 0, legend = 0, caption = 0;
};

// The panels in rows of `cols`, row-major: each row's first panel and panel count.
struct Grid {
    const FigureSpec& spec;
    const std::vector<Margins>& m;
    std::size_t cols = 1;

    std::size_t rows() const { return spec.panels.empty() ? 1 : (spec.panels.size() + cols - 1) / cols; }
    std::size_t first(std::size_t row) const { return row * cols; }
    std::size_t count(std::size_t row) const { return std::min(cols, spec.panels.size() - std::min(spec.panels.size(), first(row))); }
    // A row's width less its data areas and text extras: decorations and gaps.
    double fixedWidth(std::size_t row) const
    {
        double w = std::max(0.0, double(count(row)) - 1) * spec.panelGap;
        for (std::size_t i = first(row); i < first(row) + count(row); ++i)
            w += m[i].left + m[i].right;
        return w;
    }
    // The widest data width every row leaves room for in `width`.
    double widthFor(double width) const
    {
        double w = width;
        for (std::size_t r = 0; r < rows(); ++r)
            w = std::min(w, (width - fixedWidth(r)) / std::max<std::size_t>(1, count(r)));
        return std::max(1.0, w);
    }
    // Width each panel's titles and statistics may take beyond its frame: a share of the width
    // the data areas leave over in the fullest row, at most 0.6 of the data width, so text
    // wraps less where there is room.
    double textExtra(double width, double w) const
    {
        double extra = 0.6 * w;
        for (std::size_t r = 0; r < rows(); ++r) {
            const double k = double(std::max<std::size_t>(1, count(r)));
            extra = std::min(extra, (width - fixedWidth(r) - k * w) / k);
        }
        return std::max(0.0, extra);
    }
    double frameWidth(std::size_t i, double w, double extra) const { return m[i].left + w + m[i].right + extra; }
    // A row's height above its data areas (titles and end labels) and below them (ticks, axis
    // titles, statistics).
    double top(std::size_t row, double w, double extra) const
    {
        double top = 0;
        for (std::size_t i = first(row); i < first(row) + count(row); ++i)
            top = std::max(top, m[i].top + layout::panelTitleHeight(spec.panels[i], frameWidth(i, w, extra)));
        return top;
    }
    double bottom(std::size_t row, double w, double extra) const
    {
        double bottom = 0;
        for (std::size_t i = first(row); i < first(row) + count(row); ++i)
            bottom = std::max(bottom, m[i].bottomFixed + layout::statisticsHeight(spec.panels[i], frameWidth(i, w, extra)));
        return bottom;
    }
    // Data height left in `area` at data width `w`.
    double heightAt(const QSizeF& area, double w) const
    {
        const double extra = textExtra(area.width(), w);
        double text = double(rows() - 1) * spec.rowGap;
        for (std::size_t r = 0; r < rows(); ++r)
            text += top(r, w, extra) + bottom(r, w, extra);
        return std::max(1.0, (area.height() - text) / double(rows()));
    }
    // Data size (shared by every panel) that fits `area`, honouring the first panel's aspect.
    QSizeF fit(const QSizeF& area) const
    {
        const double aspect = spec.panels.empty() ? 0 : spec.panels.front().aspect;
        const double wMax = widthFor(area.width());
        double w = wMax;
        if (aspect > 0) // narrower panels wrap more lines: shrink until the height fits
            for (int i = 0; i < 24; ++i) {
                const double next = std::min(wMax, heightAt(area, w) * aspect);
                if (next >= w - 0.25)
                    break;
                w = next;
            }
        double h = heightAt(area, w);
        if (aspect > 0)
            h = std::min(h, w / aspect), w = std::min(w, h * aspect);
        return {std::max(1.0, w), std::max(1.0, h)};
    }
};

// Panels per row: the spec's rows, or (automatic) the count whose data areas are largest in
// `area`; a tie keeps fewer rows, so a figure at its natural size lays out as it was sized.
std::size_t columnsFor(const FigureSpec& spec, const std::vector<Margins>& m, const QSizeF& area)
{
    const std::size_t n = std::max<std::size_t>(1, spec.panels.size());
    if (spec.rows > 0)
        return (n + std::min<std::size_t>(n, std::size_t(spec.rows)) - 1) / std::min<std::size_t>(n, std::size_t(spec.rows));
    std::size_t best = n;
    double bestArea = -1;
    for (std::size_t cols = n; cols >= 1; --cols) {
        const QSizeF d = Grid{spec, m, cols}.fit(area);
        if (d.width() * d.height() > bestArea * (1 + 1e-9))
            best = cols, bestArea = d.width() * d.height();
    }
    return best;
}

Rows rowsFor(const FigureSpec& spec, double width)
{
    Rows r;
    r.title = spec.title.isEmpty() ? 0 : lineHeight(TextRole::Title) + 8;
    r.legend = spec.legend.empty() ? 0 : flowLegend(spec.legend, width, nullptr).height() + 8;
    r.caption = spec.caption.isEmpty() ? 0 : textBlockHeight(spec.caption, width, TextRole::Caption) + 4;
    return r;
}

// The panels laid out from y = 0, each row centred in `inner`'s width; returns their height.
double placePanels(const Grid& g, const QRectF& inner, const QSizeF& data, std::vector<PanelBoxes>* out)
{
    const double extra = g.textExtra(inner.width(), data.width());
    double y = 0, bottom = 0;
    for (std::size_t r = 0; r < g.rows() && !g.spec.panels.empty(); ++r) {
        const double rowWidth = g.fixedWidth(r) + double(g.count(r)) * (data.width() + extra);
        double x = inner.left() + std::max(0.0, (inner.width() - rowWidth) / 2);
        const double dataTop = y + g.top(r, data.width(), extra);
        for (std::size_t i = g.first(r); i < g.first(r) + g.count(r); ++i) {
            out->push_back(layout::panelBoxes(g.spec.panels[i], g.m[i], x, y, dataTop, data, extra));
            bottom = std::max(bottom, out->back().frame.bottom());
            x = out->back().frame.right() + g.spec.panelGap;
        }
        y = bottom + g.spec.rowGap;
    }
    return bottom;
}

} // namespace

int figureRows(const FigureSpec& spec, const QRectF& target)
{
    const QRectF inner = target.adjusted(spec.margin, spec.margin, -spec.margin, -spec.margin);
    const Rows rows = rowsFor(spec, inner.width());
    std::vector<Margins> margins;
    for (const PanelSpec& p : spec.panels)
        margins.push_back(layout::panelMargins(p));
    const Grid g{spec, margins, columnsFor(spec, margins, QSizeF(inner.width(), inner.height() - rows.title - rows.legend - rows.caption))};
    return int(g.rows());
}

FigureBoxes layoutFigure(const FigureSpec& spec, const QRectF& target)
{
    FigureBoxes boxes;
    boxes.figure = target;
    const QRectF inner = target.adjusted(spec.margin, spec.margin, -spec.margin, -spec.margin);
    const Rows rows = rowsFor(spec, inner.width());
    std::vector<Margins> margins;
    for (const PanelSpec& p : spec.panels)
        margins.push_back(layout::panelMargins(p));
    const QSizeF area(inner.width(), inner.height() - rows.title - rows.legend - rows.caption);
    const Grid g{spec, margins, columnsFor(spec, margins, area)};
    const double panelsHeight = placePanels(g, inner, g.fit(area), &boxes.panels);
    // Centre the content vertically when an aspect leaves height over.
    const double used = rows.title + panelsHeight + rows.legend + rows.caption;
    const double top = inner.top() + std::max(0.0, (inner.height() - used) / 2);
    double contentLeft = inner.right();
    for (PanelBoxes& p : boxes.panels) {
        for (QRectF* r : {&p.frame, &p.title, &p.data, &p.xTicks, &p.xTitle, &p.yTicks, &p.yTitle, &p.colourBar, &p.statistics})
            r->translate(0, top + rows.title);
        contentLeft = std::min(contentLeft, p.frame.left());
    }
    if (boxes.panels.empty())
        contentLeft = inner.left();
    boxes.title = QRectF(inner.left(), top, inner.width(), std::max(0.0, rows.title - 4));
    const double legendTop = top + rows.title + panelsHeight + 8;
    const QSizeF legendSize = flowLegend(spec.legend, inner.width(), &boxes.legendEntries);
    boxes.legend = QRectF(QPointF(std::max(inner.left(), std::min(contentLeft, inner.right() - legendSize.width())), legendTop), legendSize);
    for (QRectF& e : boxes.legendEntries)
        e.translate(boxes.legend.topLeft());
    boxes.caption = QRectF(inner.left(), top + rows.title + panelsHeight + rows.legend + 4, inner.width(), std::max(0.0, rows.caption - 4));
    return boxes;
}

QSizeF figureSizeFor(const FigureSpec& asked, const QSizeF& data)
{
    FigureSpec spec = asked; // automatic sizes as one row
    spec.rows = std::max(1, asked.rows);
    const std::size_t n = std::max<std::size_t>(1, spec.panels.size());
    const double perRow = double((n + std::min<std::size_t>(n, std::size_t(spec.rows)) - 1) / std::min<std::size_t>(n, std::size_t(spec.rows)));
    const double rowCount = std::ceil(double(n) / perRow);
    // Grow the target until the data areas reach `data` (the layout is monotonic in the target).
    QSizeF size(data.width() * perRow + 2 * spec.margin, data.height() * rowCount + 2 * spec.margin);
    for (int i = 0; i < 8; ++i) {
        const FigureBoxes b = layoutFigure(spec, QRectF(QPointF(0, 0), size));
        if (b.panels.empty())
            break;
        const QSizeF got = b.panels.front().data.size();
        const double dw = data.width() - got.width(), dh = data.height() - got.height();
        if (dw < 0.5 && dh < 0.5)
            break;
        size += QSizeF(std::max(0.0, dw) * perRow, std::max(0.0, dh) * rowCount);
    }
    // Growing for height (an aspect) also widened it: trim the width back to the narrowest that
    // still gives the data areas their size (no blank columns beside the panels).
    auto fits = [&](double w) {
        const FigureBoxes b = layoutFigure(spec, QRectF(0, 0, w, size.height()));
        return !b.panels.empty() && b.panels.front().data.width() >= data.width() - 0.5 && b.panels.front().data.height() >= data.height() - 0.5;
    };
    if (fits(size.width())) {
        double lo = data.width(), hi = size.width();
        for (int i = 0; i < 20 && hi - lo > 0.5; ++i)
            (fits((lo + hi) / 2) ? hi : lo) = (lo + hi) / 2;
        size.setWidth(hi);
    }
    return {std::ceil(size.width()), std::ceil(size.height())};
}

QSizeF usableFigureSize(const FigureSpec& spec, double side)
{
    const double aspect = spec.panels.empty() ? 0 : spec.panels.front().aspect;
    const QSizeF data = aspect > 0 ? QSizeF(side * std::max(1.0, aspect), side * std::max(1.0, 1 / aspect)) : QSizeF(side, side);
    return figureSizeFor(spec, data);
}

namespace {

void paintLines(QPainter& p, const QRectF& box, const QStringList& lines, TextRole role)
{
    double y = box.top();
    for (const QString& line : lines) {
        const double h = textBlockHeight({line}, box.width(), role);
        drawFigureText(p, QRectF(box.left(), y, box.width(), h), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, line, role);
        y += h;
    }
}

void paintLegend(QPainter& p, const FigureBoxes& b, const std::vector<LegendEntry>& legend)
{
    if (legend.empty())
        return;
    p.save();
    p.setPen(QPen(figureSubtleInk(p), 0.8));
    p.setBrush(Qt::NoBrush);
    p.drawRect(b.legend);
    recordFigureBox(p, b.legend, PlacedKind::Legend, QStringLiteral("legend"));
    for (std::size_t i = 0; i < legend.size() && i < b.legendEntries.size(); ++i) {
        const LegendEntry& e = legend[i];
        const QRectF r = b.legendEntries[i];
        const QRectF swatch(r.left(), r.center().y() - kSwatch / 2 + 1, kSwatch, kSwatch - 2);
        if (e.swatch == LegendEntry::Swatch::Box) {
            p.fillRect(swatch, e.colour);
            p.setPen(QPen(figureSubtleInk(p), 0.6)); // a dark swatch stays visible on a dark background
            p.drawRect(swatch);
        } else {
            p.setPen(QPen(e.colour, 2.2, e.pen));
            p.drawLine(QPointF(swatch.left(), swatch.center().y()), QPointF(swatch.right(), swatch.center().y()));
        }
        p.setPen(figureInk(p));
        drawFigureText(p, QRectF(r.left() + kSwatch + 5, r.top(), r.width() - kSwatch - 5, r.height()),
                       Qt::AlignLeft | Qt::AlignVCenter, e.text, TextRole::Legend);
    }
    p.restore();
}

void paintPanelFrame(QPainter& p, const PanelBoxes& b, const PanelSpec& s)
{
    recordFigureBox(p, b.data, PlacedKind::Data, s.title);
    p.setPen(figureInk(p));
    if (!s.title.isEmpty())
        drawFigureText(p, b.title, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, s.title, TextRole::PanelTitle);
    if (!s.xTitle.isEmpty())
        drawFigureText(p, b.xTitle, Qt::AlignCenter, s.xTitle, TextRole::AxisTitle);
    if (!s.yTitle.isEmpty())
        drawFigureTextUp(p, b.yTitle, s.yTitle, TextRole::AxisTitle);
    p.setPen(figureSubtleInk(p));
    paintLines(p, b.statistics, s.statistics, TextRole::Statistic);
    if (s.colourBar) {
        p.save();
        p.setFont(figureFont(TextRole::TickLabel));
        paintColourBar(p, b.colourBar, *s.colourBar, figureType().tick);
        p.restore();
    }
}

} // namespace

void paintFigureFrame(QPainter& p, const FigureBoxes& b, const FigureSpec& spec)
{
    p.save();
    p.setPen(figureInk(p));
    if (!spec.title.isEmpty())
        drawFigureText(p, b.title, Qt::AlignLeft | Qt::AlignVCenter, spec.title, TextRole::Title);
    for (std::size_t i = 0; i < spec.panels.size() && i < b.panels.size(); ++i)
        paintPanelFrame(p, b.panels[i], spec.panels[i]);
    paintLegend(p, b, spec.legend);
    p.setPen(figureSubtleInk(p));
    paintLines(p, b.caption, spec.caption, TextRole::Caption);
    p.restore();
}

} // namespace ts
