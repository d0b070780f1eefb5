#include "ui/figures/figure_layout.h"

#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_record.h"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace ts {
namespace {

constexpr double kTickLength = 4, kBarWidth = 14, kBarGap = 10, kSwatch = 14, kLegendPad = 6, kEntryGap = 16;
// Text is measured this much narrower than it is drawn, so a painter whose own metrics (another
// device, a scaled painter) run a little wider never needs one more line.
constexpr double kWrapSlack = 6;

double lineHeight(TextRole role) { return std::ceil(QFontMetricsF(figureFont(role)).height()) + 1; }
double textWidth(const QString& text, TextRole role) { return std::ceil(QFontMetricsF(figureFont(role)).horizontalAdvance(text)) + 2; }

double widest(const QStringList& labels, TextRole role)
{
    double w = 0;
    for (const QString& s : labels)
        w = std::max(w, textWidth(s, role));
    return w;
}

// Where the x tick labels start below the data: clear of a colour bar's bottom label.
double xTickOffset() { return std::max(kTickLength + 3, lineHeight(TextRole::TickLabel) / 2 + 1); }

struct Margins {
    double left = 0, right = 0, top = 0, bottomFixed = 0;
};

Margins panelMargins(const PanelSpec& s)
{
    Margins m;
    const double tick = lineHeight(TextRole::TickLabel);
    const double yTitle = s.yTitle.isEmpty() ? 0 : lineHeight(TextRole::AxisTitle) + 4;
    const double yTicks = s.yTickLabels.isEmpty() ? 0 : widest(s.yTickLabels, TextRole::TickLabel) + kTickLength + 3;
    const double xOverhang = s.xTickLabels.isEmpty() ? 0 : widest(s.xTickLabels, TextRole::TickLabel) / 2;
    m.left = std::max(yTitle + yTicks, xOverhang);
    m.right = std::max(s.colourBar ? kBarGap + colourBarColumnWidth(*s.colourBar) : 0.0, xOverhang);
    const bool endLabels = !s.yTickLabels.isEmpty() || s.colourBar;
    m.top = endLabels ? tick / 2 + 1 : 0; // the title's rows come on top (panelTitleHeight)
    m.bottomFixed = (s.xTickLabels.isEmpty() ? (endLabels ? tick / 2 + 1 : 0) : xTickOffset() + tick)
                    + (s.xTitle.isEmpty() ? 0 : lineHeight(TextRole::AxisTitle) + 2);
    return m;
}

// A panel title wraps to its frame's width.
double panelTitleHeight(const PanelSpec& s, double frameWidth)
{
    return s.title.isEmpty() ? 0 : textBlockHeight({s.title}, frameWidth, TextRole::PanelTitle) + 4;
}

double statisticsHeight(const PanelSpec& s, double frameWidth)
{
    return s.statistics.isEmpty() ? 0 : textBlockHeight(s.statistics, frameWidth, TextRole::Statistic) + 4;
}

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
    double w = kBarWidth + 7 + widest(labels, TextRole::TickLabel);
    if (bar.reference >= 0 && !inside) // named above or below the bar, from its left edge
        w = std::max(w, textWidth(QStringLiteral("▲ ") + bar.referenceLabel, TextRole::TickLabel));
    return w;
}

namespace {

struct Rows {
    double title = 0, legend = 0, caption = 0;
};

// Width each panel's titles and statistics may take beyond its frame: a share of the width the
// data areas leave over (an aspect-limited panel), at most 0.6 of the data width, so text wraps
// less where there is room.
double textExtra(const FigureSpec& spec, const std::vector<Margins>& m, double areaWidth, double w)
{
    const double n = std::max<std::size_t>(1, spec.panels.size());
    double used = (n - 1) * spec.panelGap + n * w;
    for (const Margins& x : m)
        used += x.left + x.right;
    return std::clamp((areaWidth - used) / n, 0.0, 0.6 * w);
}

// The height above the data areas (titles and end labels), shared by every panel at data width `w`.
double topOf(const FigureSpec& spec, const std::vector<Margins>& m, double w, double extra)
{
    double top = 0;
    for (std::size_t i = 0; i < spec.panels.size(); ++i)
        top = std::max(top, m[i].top + panelTitleHeight(spec.panels[i], m[i].left + w + m[i].right + extra));
    return top;
}

// Data size (shared by every panel) that fits `area`, honouring the first panel's aspect.
QSizeF fitData(const FigureSpec& spec, const std::vector<Margins>& m, const QSizeF& area)
{
    const double n = std::max<std::size_t>(1, spec.panels.size());
    double fixedWidth = (n - 1) * spec.panelGap;
    for (const Margins& x : m)
        fixedWidth += x.left + x.right;
    const double aspect = spec.panels.empty() ? 0 : spec.panels.front().aspect;
    const double wMax = std::max(1.0, (area.width() - fixedWidth) / n);
    auto heightAt = [&](double w) {
        const double extra = textExtra(spec, m, area.width(), w);
        double bottom = 0;
        for (std::size_t i = 0; i < spec.panels.size(); ++i)
            bottom = std::max(bottom, m[i].bottomFixed + statisticsHeight(spec.panels[i], m[i].left + w + m[i].right + extra));
        return std::max(1.0, area.height() - topOf(spec, m, w, extra) - bottom);
    };
    double w = wMax;
    if (aspect > 0) // narrower panels wrap more lines: shrink until the height fits
        for (int i = 0; i < 24; ++i) {
            const double next = std::min(wMax, heightAt(w) * aspect);
            if (next >= w - 0.25)
                break;
            w = next;
        }
    double h = heightAt(w);
    if (aspect > 0)
        h = std::min(h, w / aspect), w = std::min(w, h * aspect);
    return {std::max(1.0, w), std::max(1.0, h)};
}

// A panel from `left`: its decorations and data, then `extra` pixels more for its text.
PanelBoxes panelBoxes(const PanelSpec& s, const Margins& m, double left, double dataTop, const QSizeF& data, double extra)
{
    PanelBoxes b;
    const double frameWidth = m.left + data.width() + m.right + extra;
    b.data = QRectF(left + m.left, dataTop, data.width(), data.height());
    const double titleH = panelTitleHeight(s, frameWidth);
    const double top = dataTop - m.top - titleH;
    b.title = QRectF(left, top, frameWidth, std::max(0.0, titleH - 4));
    const double tick = lineHeight(TextRole::TickLabel);
    const double yTitleW = s.yTitle.isEmpty() ? 0 : lineHeight(TextRole::AxisTitle) + 4;
    // Centred beside the data, taller than it when the title needs it (not into the title rows).
    const double yTitleH = std::max(b.data.height(), textWidth(s.yTitle, TextRole::AxisTitle));
    const double yTitleTop = std::max(dataTop - m.top, b.data.center().y() - yTitleH / 2);
    b.yTitle = QRectF(left, yTitleTop, yTitleW, yTitleH);
    b.yTicks = QRectF(left + yTitleW, b.data.top() - tick / 2, b.data.left() - left - yTitleW, b.data.height() + tick);
    double y = b.data.bottom();
    if (!s.xTickLabels.isEmpty()) {
        b.xTicks = QRectF(left, y + xTickOffset(), frameWidth, tick);
        y = b.xTicks.bottom();
    } else if (!s.yTickLabels.isEmpty() || s.colourBar) {
        y += tick / 2 + 1;
    }
    if (!s.xTitle.isEmpty()) {
        // Centred under the data, wider than it when the title needs it (kept in the frame).
        const double w = std::min(frameWidth, std::max(b.data.width(), textWidth(s.xTitle, TextRole::AxisTitle)));
        const double x = std::clamp(b.data.center().x() - w / 2, left, left + frameWidth - w);
        b.xTitle = QRectF(x, y + 2, w, lineHeight(TextRole::AxisTitle));
        y = b.xTitle.bottom();
    }
    b.statistics = QRectF(left, y + 4, frameWidth, statisticsHeight(s, frameWidth) - 4);
    if (s.colourBar) {
        const ColourBar& c = *s.colourBar;
        const double beyond = 2.9 * figureType().tick + 1; // a reference outside the range is named there
        const bool above = c.reference >= 0 && c.reference > c.hi, below = c.reference >= 0 && c.reference < c.lo;
        b.colourBar = QRectF(b.data.right() + kBarGap, b.data.top() + (above ? beyond : 0), kBarWidth,
                             std::max(1.0, b.data.height() - (above ? beyond : 0) - (below ? beyond : 0)));
    }
    b.frame = QRectF(left, top, frameWidth, std::max(b.statistics.bottom(), y) - top);
    return b;
}

Rows rowsFor(const FigureSpec& spec, double width)
{
    Rows r;
    r.title = spec.title.isEmpty() ? 0 : lineHeight(TextRole::Title) + 8;
    r.legend = spec.legend.empty() ? 0 : flowLegend(spec.legend, width, nullptr).height() + 8;
    r.caption = spec.caption.isEmpty() ? 0 : textBlockHeight(spec.caption, width, TextRole::Caption) + 4;
    return r;
}

} // namespace

FigureBoxes layoutFigure(const FigureSpec& spec, const QRectF& target)
{
    FigureBoxes boxes;
    boxes.figure = target;
    const QRectF inner = target.adjusted(spec.margin, spec.margin, -spec.margin, -spec.margin);
    const Rows rows = rowsFor(spec, inner.width());
    std::vector<Margins> margins;
    double fixedWidth = std::max<double>(0, double(spec.panels.size()) - 1) * spec.panelGap;
    for (const PanelSpec& p : spec.panels) {
        margins.push_back(panelMargins(p));
        fixedWidth += margins.back().left + margins.back().right;
    }
    const QSizeF data = fitData(spec, margins, QSizeF(inner.width(), inner.height() - rows.title - rows.legend - rows.caption));
    const double extra = textExtra(spec, margins, inner.width(), data.width());
    const double topMax = topOf(spec, margins, data.width(), extra);
    // Lay the panels out from y = 0, then centre the content vertically when an aspect leaves
    // height over, and horizontally.
    const double n = double(spec.panels.size());
    double x = inner.left() + std::max(0.0, (inner.width() - fixedWidth - (data.width() + extra) * n) / 2);
    double panelsHeight = 0;
    for (std::size_t i = 0; i < spec.panels.size(); ++i) {
        boxes.panels.push_back(panelBoxes(spec.panels[i], margins[i], x, topMax, data, extra));
        panelsHeight = std::max(panelsHeight, boxes.panels.back().frame.bottom());
        x = boxes.panels.back().frame.right() + spec.panelGap;
    }
    const double used = rows.title + panelsHeight + rows.legend + rows.caption;
    const double top = inner.top() + std::max(0.0, (inner.height() - used) / 2);
    for (PanelBoxes& p : boxes.panels)
        for (QRectF* r : {&p.frame, &p.title, &p.data, &p.xTicks, &p.xTitle, &p.yTicks, &p.yTitle, &p.colourBar, &p.statistics})
            r->translate(0, top + rows.title);
    boxes.title = QRectF(inner.left(), top, inner.width(), std::max(0.0, rows.title - 4));
    const double legendTop = top + rows.title + panelsHeight + 8;
    const QSizeF legendSize = flowLegend(spec.legend, inner.width(), &boxes.legendEntries);
    const double contentLeft = boxes.panels.empty() ? inner.left() : boxes.panels.front().frame.left();
    boxes.legend = QRectF(QPointF(std::max(inner.left(), std::min(contentLeft, inner.right() - legendSize.width())), legendTop), legendSize);
    for (QRectF& e : boxes.legendEntries)
        e.translate(boxes.legend.topLeft());
    boxes.caption = QRectF(inner.left(), top + rows.title + panelsHeight + rows.legend + 4, inner.width(), std::max(0.0, rows.caption - 4));
    return boxes;
}

QSizeF figureSizeFor(const FigureSpec& spec, const QSizeF& data)
{
    // Grow the target until the data areas reach `data` (the layout is monotonic in the target).
    QSizeF size(data.width() * std::max<std::size_t>(1, spec.panels.size()) + 2 * spec.margin, data.height() + 2 * spec.margin);
    for (int i = 0; i < 8; ++i) {
        const FigureBoxes b = layoutFigure(spec, QRectF(QPointF(0, 0), size));
        if (b.panels.empty())
            break;
        const QSizeF got = b.panels.front().data.size();
        const double dw = data.width() - got.width(), dh = data.height() - got.height();
        if (dw < 0.5 && dh < 0.5)
            break;
        size += QSizeF(std::max(0.0, dw) * spec.panels.size(), std::max(0.0, dh));
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

std::vector<double> roundTicks(double lo, double hi, int maxTicks)
{
    std::vector<double> ticks;
    if (!(hi > lo) || maxTicks < 1)
        return ticks;
    const double raw = (hi - lo) / std::max(1, maxTicks - 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * magnitude;
    for (double m : {1.0, 2.0, 2.5, 5.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
        ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

int ticksThatFit(double length, double labelExtent)
{
    return std::max(2, static_cast<int>(std::floor(length / std::max(1.0, labelExtent + 12))));
}

double tickLabelWidth(const QString& label) { return textWidth(label, TextRole::TickLabel); }
double tickLabelHeight() { return lineHeight(TextRole::TickLabel); }

void paintXTick(QPainter& p, const PanelBoxes& b, double x, const QString& label)
{
    p.save();
    p.setPen(QPen(figureInk(p), 1));
    p.drawLine(QPointF(x, b.data.bottom()), QPointF(x, b.data.bottom() + kTickLength));
    const double w = textWidth(label, TextRole::TickLabel);
    const double left = std::clamp(x - w / 2, b.frame.left(), std::max(b.frame.left(), b.frame.right() - w));
    drawFigureText(p, QRectF(left, b.xTicks.top(), w, b.xTicks.height()), Qt::AlignCenter, label, TextRole::TickLabel);
    p.restore();
}

void paintYTick(QPainter& p, const PanelBoxes& b, double y, const QString& label)
{
    p.save();
    p.setPen(QPen(figureInk(p), 1));
    p.drawLine(QPointF(b.data.left() - kTickLength, y), QPointF(b.data.left(), y));
    const double h = lineHeight(TextRole::TickLabel);
    drawFigureText(p, QRectF(b.yTicks.left(), y - h / 2, b.yTicks.width() - kTickLength - 3, h), Qt::AlignRight | Qt::AlignVCenter,
                   label, TextRole::TickLabel);
    p.restore();
}

} // namespace ts
