#include "ui/figures/eval_figure.h"

#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_recipe.h"

#include <QFileInfo>
#include <QObject>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ts {
namespace {

constexpr double kWidth = 960, kHeight = 440, kMargin = 16, kLine = 20, kLeft = 58, kBottom = 44, kLegend = 28;

struct Axis {
    std::vector<double> ticks;
    double lo() const { return ticks.front(); }
    double hi() const { return ticks.back(); }
    double at(double v, double from, double to) const { return from + (to - from) * (v - lo()) / (hi() - lo()); }
};

Axis axisOver(std::vector<double> values)
{
    if (values.empty())
        values = {0, 1};
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    return {enclosingRoundTicks(*lo, *hi)};
}

// A percentage axis spans at least 10 points and stops at 0 and 100 (ticks of every round step,
// 1, 2 or 5 times a power of ten).
Axis percentAxis(const std::vector<double>& values)
{
    double lo = *std::min_element(values.begin(), values.end()), hi = *std::max_element(values.begin(), values.end());
    if (hi - lo < 10) {
        hi = std::min(100.0, std::max(hi, lo + 10));
        lo = std::max(0.0, hi - 10);
    }
    Axis a{enclosingRoundTicks(lo, hi)};
    a.ticks.erase(std::remove_if(a.ticks.begin(), a.ticks.end(), [](double t) { return t > 100 + 1e-9 || t < -1e-9; }), a.ticks.end());
    return a;
}

QString tickText(double v, const std::vector<double>& ticks)
{
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
    const double rounded = std::round(v / step) * step;
    return QString::number(std::abs(rounded) < step * 1e-9 ? 0.0 : rounded, 'g', 6);
}

// A marker of `shape` (0 circle, 1 square, 2 triangle, 3 diamond) centred at p.
void drawMarker(QPainter& p, const QPointF& c, int shape, double r)
{
    switch (shape % 4) {
    case 0: p.drawEllipse(c, r, r); break;
    case 1: p.drawRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r)); break;
    case 2: p.drawPolygon(QPolygonF({c + QPointF(0, -r * 1.2), c + QPointF(r * 1.1, r * 0.8), c + QPointF(-r * 1.1, r * 0.8)})); break;
    default: p.drawPolygon(QPolygonF({c + QPointF(0, -r * 1.3), c + QPointF(r * 1.1, 0), c + QPointF(0, r * 1.3), c + QPointF(-r * 1.1, 0)}));
    }
}

void drawStar(QPainter& p, const QPointF& c, double r)
{
    QPolygonF star;
    for (int k = 0; k < 10; ++k) {
        const double a = -M_PI / 2 + k * M_PI / 5, rr = k % 2 ? r * 0.45 : r;
        star << c + QPointF(rr * std::cos(a), rr * std::sin(a));
    }
    p.drawPolygon(star);
}

// The frame, grid, ticks and titles of one panel; the plot area is `area`.
void drawAxes(QPainter& p, const QRectF& area, const Axis& x, const Axis& y, const QString& xTitle, const QString& yTitle)
{
    const QColor ink = figureInk(p), subtle = figureSubtleInk(p);
    QColor grid = subtle;
    grid.setAlpha(60);
    for (double t : x.ticks) {
        const double px = x.at(t, area.left(), area.right());
        p.setPen(QPen(grid, 1));
        p.drawLine(QPointF(px, area.top()), QPointF(px, area.bottom()));
        p.setPen(subtle);
        p.drawText(QRectF(px - 40, area.bottom() + 2, 80, kLine), Qt::AlignHCenter | Qt::AlignTop, tickText(t, x.ticks));
    }
    for (double t : y.ticks) {
        const double py = y.at(t, area.bottom(), area.top());
        p.setPen(QPen(grid, 1));
        p.drawLine(QPointF(area.left(), py), QPointF(area.right(), py));
        p.setPen(subtle);
        p.drawText(QRectF(area.left() - kLeft + 4, py - kLine / 2, kLeft - 10, kLine), Qt::AlignRight | Qt::AlignVCenter, tickText(t, y.ticks));
    }
    p.setPen(QPen(subtle, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(area);
    p.setPen(ink);
    p.drawText(QRectF(area.left(), area.bottom() + kLine, area.width(), kLine), Qt::AlignCenter, xTitle);
    p.save();
    p.translate(area.left() - kLeft + 2, area.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-area.height() / 2, 0, area.height(), kLine - 4), Qt::AlignCenter, yTitle);
    p.restore();
}

// One panel: every method's line against `xOf` (GFLOPs or images/s) and the unreduced star.
void drawPanel(QPainter& p, const QRectF& area, const EvalFigureData& d, bool bySpeed, const Axis& y)
{
    std::vector<double> xs{bySpeed ? d.referenceSpeed : d.referenceGflops};
    for (const EvalSeries& s : d.series)
        xs.insert(xs.end(), (bySpeed ? s.speed : s.gflops).begin(), (bySpeed ? s.speed : s.gflops).end());
    const Axis x = axisOver(xs);
    drawAxes(p, area, x, y, bySpeed ? QObject::tr("images/s (measured)") : QObject::tr("GFLOPs (analytic, per image)"), d.quantity);
    auto point = [&](double xv, double yv) { return QPointF(x.at(xv, area.left(), area.right()), y.at(yv, area.bottom(), area.top())); };
    p.save();
    p.setClipRect(area.adjusted(-8, -8, 8, 8));
    for (std::size_t i = 0; i < d.series.size(); ++i) {
        const EvalSeries& s = d.series[i];
        const std::vector<double>& sx = bySpeed ? s.speed : s.gflops;
        std::vector<std::size_t> order(sx.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sx[a] < sx[b]; });
        QPainterPath line;
        for (std::size_t k = 0; k < order.size(); ++k)
            k == 0 ? line.moveTo(point(sx[order[k]], s.value[order[k]])) : line.lineTo(point(sx[order[k]], s.value[order[k]]));
        const QColor colour = methodColour(s.method);
        p.setPen(QPen(colour, 2));
        p.setBrush(Qt::NoBrush);
        p.drawPath(line);
        p.setBrush(colour);
        for (std::size_t k = 0; k < sx.size(); ++k)
            drawMarker(p, point(sx[k], s.value[k]), s.method, 4.5);
    }
    p.setPen(QPen(figureInk(p), 1));
    p.setBrush(figureInk(p));
    drawStar(p, point(bySpeed ? d.referenceSpeed : d.referenceGflops, d.referenceValue), 7);
    p.restore();
}

// The legend row: a marker and name per method, then the unreduced star.
void drawLegend(QPainter& p, const QRectF& row, const EvalFigureData& d)
{
    double x = row.left();
    const QFontMetricsF metrics(p.font());
    for (std::size_t i = 0; i <= d.series.size(); ++i) {
        const bool reference = i == d.series.size();
        const QString name = reference ? QObject::tr("unreduced model") : d.series[i].name;
        const int method = reference ? 0 : d.series[i].method;
        const QColor colour = reference ? figureInk(p) : methodColour(method);
        const QPointF c(x + 10, row.center().y());
        p.setPen(QPen(colour, 2));
        if (!reference)
            p.drawLine(c - QPointF(10, 0), c + QPointF(10, 0));
        p.setBrush(colour);
        reference ? drawStar(p, c, 7) : drawMarker(p, c, method, 4.5);
        p.setPen(figureInk(p));
        p.drawText(QRectF(x + 26, row.top(), metrics.horizontalAdvance(name) + 4, row.height()), Qt::AlignLeft | Qt::AlignVCenter, name);
        x += 26 + metrics.horizontalAdvance(name) + 24;
    }
}

} // namespace

std::vector<double> enclosingRoundTicks(double lo, double hi, int most)
{
    if (!(hi > lo)) {
        const double pad = std::abs(lo) > 0 ? std::abs(lo) * 0.1 : 1;
        lo -= pad, hi += pad;
    }
    const double rough = (hi - lo) / std::max(1, most - 1);
    const double decade = std::pow(10.0, std::floor(std::log10(rough)));
    double step = decade * 10;
    for (double m : {1.0, 2.0, 5.0})
        if (m * decade >= rough) {
            step = m * decade;
            break;
        }
    std::vector<double> ticks;
    const double first = std::floor(lo / step + 1e-9) * step, last = std::ceil(hi / step - 1e-9) * step;
    for (int k = 0; first + k * step <= last + step * 1e-6; ++k)
        ticks.push_back(first + k * step);
    return ticks;
}

EvalFigureData evalFigureData(const EvalResult& r)
{
    EvalFigureData d;
    d.caption = QObject::tr("%1, %2 — %3 images in %4").arg(QString::fromStdString(r.model), QString::fromStdString(r.weights)).arg(r.images)
                    .arg(QFileInfo(QString::fromStdString(r.folder)).fileName());
    d.quantity = r.hasLabels ? QObject::tr("top-1 accuracy (%)") : QObject::tr("top-1 agreement (%)");
    d.referenceGflops = r.reference.gflops;
    d.referenceSpeed = r.reference.imagesPerSecond;
    d.referenceValue = r.hasLabels ? 100 * r.reference.top1 : 100;
    for (const EvalRow& row : r.rows) {
        const QString name = QString::fromUtf8(reductionMethodTitle(row.method));
        if (d.series.empty() || d.series.back().name != name)
            d.series.push_back({name, static_cast<int>(row.method), {}, {}, {}});
        d.series.back().gflops.push_back(row.gflops);
        d.series.back().speed.push_back(row.imagesPerSecond);
        d.series.back().value.push_back(100 * (r.hasLabels ? row.top1 : row.top1Agreement));
    }
    return d;
}

QSizeF evalNaturalSize() { return {kWidth, kHeight}; }

void paintEval(QPainter& painter, const QRectF& target, const EvalFigureData& d)
{
    const QSizeF natural = evalNaturalSize();
    const double s = std::min(target.width() / natural.width(), target.height() / natural.height());
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.translate(target.center() - QPointF(natural.width() * s / 2, natural.height() * s / 2));
    painter.scale(s, s);
    QFont font = painter.font();
    font.setPixelSize(12);
    painter.setFont(font);
    painter.setPen(figureInk(painter));
    painter.drawText(QRectF(kMargin, 4, kWidth - 2 * kMargin, kLine), Qt::AlignLeft | Qt::AlignVCenter, d.caption);
    std::vector<double> values{d.referenceValue};
    for (const EvalSeries& series : d.series)
        values.insert(values.end(), series.value.begin(), series.value.end());
    const Axis y = percentAxis(values);
    const double panelWidth = (kWidth - 3 * kMargin) / 2 - kLeft, top = 4 + kLine + 8;
    const double bottom = kHeight - kMargin - kLegend - kBottom;
    for (int k = 0; k < 2; ++k) {
        const double left = kMargin + kLeft + k * (panelWidth + kLeft + kMargin);
        drawPanel(painter, QRectF(left, top, panelWidth, bottom - top), d, k == 1, y);
    }
    drawLegend(painter, QRectF(kMargin + kLeft, kHeight - kMargin - kLegend, kWidth - 2 * kMargin - kLeft, kLegend), d);
    painter.restore();
}

Figure evalFigure(const EvalResult& result, const nlohmann::json& settings, const std::vector<std::string>& recipeArguments)
{
    auto data = std::make_shared<EvalFigureData>(evalFigureData(result));
    Figure f;
    f.size = evalNaturalSize();
    f.paint = [data](QPainter& p, const QRectF& r) { paintEval(p, r, *data); };
    f.title = QObject::tr("Agreement against cost over a folder");
    f.description = data->caption;
    setFigureRecipe(f, "eval", settings, recipeArguments);
    return f;
}

} // namespace ts
