#include "ui/figures/flop_curve_figure.h"

#include "core/util/error.h"

#include <QFontMetricsF>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ts {
namespace {

struct Plot {
    QRectF area;
    double x0, x1, y0, y1; // log10 (x, and y unless linearY)
    bool linearY = false;
    QPointF at(double x, double y) const
    {
        const double lx = std::log10(x), ly = linearY ? y : std::log10(y);
        return {area.left() + (lx - x0) / (x1 - x0) * area.width(), area.bottom() - (ly - y0) / (y1 - y0) * area.height()};
    }
};

QString superscript(int k)
{
    static const QString digits = QString::fromUtf8("⁰¹²³⁴⁵⁶⁷⁸⁹");
    QString s = k < 0 ? QString::fromUtf8("⁻") : QString();
    for (QChar c : QString::number(std::abs(k)))
        s += digits[c.digitValue()];
    return s;
}

void drawAxes(QPainter& p, const Plot& plot, const QString& xLabel, const QString& yLabel)
{
    QFont small = p.font();
    small.setPixelSize(11);
    p.setFont(small);
    const QFontMetricsF fm(small);
    p.setPen(QPen(QColor(225, 225, 225), 1));
    // Decade grid on x; decades (log) or tenths (linear) on y.
    // Decades when the range spans two or more, otherwise powers of two ("4K", "16K").
    std::vector<std::pair<double, QString>> xTicks;
    for (int k = int(std::ceil(plot.x0)); k <= int(std::floor(plot.x1)); ++k)
        xTicks.push_back({double(k), "10" + superscript(k)});
    if (xTicks.size() < 2) {
        xTicks.clear();
        const double l2 = std::log2(10.0);
        const int first = int(std::ceil(plot.x0 * l2)), last = int(std::floor(plot.x1 * l2));
        const int step = std::max(1, (last - first) / 8 + 1);
        for (int k = first; k <= last; k += step) {
            const double v = std::pow(2.0, k);
            const QString label = v >= 1 << 20 ? QString("%1M").arg(v / (1 << 20)) : v >= 1024 ? QString("%1K").arg(v / 1024)
                                                                                                : QString::number(v);
            xTicks.push_back({k / l2, label});
        }
    }
    for (const auto& [k, label] : xTicks) {
        const double x = plot.area.left() + (k - plot.x0) / (plot.x1 - plot.x0) * plot.area.width();
        p.setPen(QPen(QColor(225, 225, 225), 1));
        p.drawLine(QPointF(x, plot.area.top()), QPointF(x, plot.area.bottom()));
        p.setPen(Qt::black);
        p.drawText(QPointF(x - fm.horizontalAdvance(label) / 2, plot.area.bottom() + 16), label);
    }
    // y: tenths of 100 % (linear), decades (log), or 1-2-5 steps when the log range is narrow.
    std::vector<std::pair<double, QString>> yTicks;
    if (plot.linearY) {
        for (double v = std::ceil(plot.y0 / 10) * 10; v <= plot.y1 + 1e-9; v += 10)
            yTicks.push_back({v, QString("%1%").arg(v, 0, 'f', 0)});
    } else if (plot.y1 - plot.y0 >= 2.0) {
        for (int k = int(std::ceil(plot.y0)); k <= int(std::floor(plot.y1)); ++k)
            yTicks.push_back({double(k), "10" + superscript(k)});
    } else {
        for (int k = int(std::floor(plot.y0)); k <= int(std::ceil(plot.y1)); ++k)
            for (double m : {1.0, 2.0, 5.0}) {
                const double v = k + std::log10(m);
                if (v >= plot.y0 - 1e-9 && v <= plot.y1 + 1e-9)
                    yTicks.push_back({v, QString::number(m * std::pow(10.0, k), 'g', 3)});
            }
    }
    for (const auto& [v, label] : yTicks) {
        const double y = plot.area.bottom() - (v - plot.y0) / (plot.y1 - plot.y0) * plot.area.height();
        p.setPen(QPen(QColor(225, 225, 225), 1));
        p.drawLine(QPointF(plot.area.left(), y), QPointF(plot.area.right(), y));
        p.setPen(Qt::black);
        p.drawText(QPointF(plot.area.left() - fm.horizontalAdvance(label) - 6, y + 4), label);
    }
    p.setPen(QPen(Qt::black, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(plot.area);
    QFont label = p.font();
    label.setPixelSize(12);
    p.setFont(label);
    p.drawText(QRectF(plot.area.left(), plot.area.bottom() + 22, plot.area.width(), 18), Qt::AlignCenter, xLabel);
    p.save();
    p.translate(plot.area.left() - 58, plot.area.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-plot.area.height() / 2 - 60, -10, plot.area.height() + 120, 20), Qt::AlignCenter, yLabel);
    p.restore();
}

void drawLegend(QPainter& p, const QRectF& box, const std::vector<std::pair<QString, QColor>>& entries, const QString& note)
{
    QFont f = p.font();
    f.setPixelSize(11);
    p.setFont(f);
    double y = box.top();
    for (const auto& [name, color] : entries) {
        p.fillRect(QRectF(box.left(), y + 3, 14, 10), color);
        p.setPen(Qt::black);
        p.drawText(QRectF(box.left() + 20, y, box.width() - 20, 16), Qt::AlignLeft | Qt::AlignVCenter,
                   QFontMetricsF(f).elidedText(name, Qt::ElideRight, box.width() - 20));
        y += 18;
    }
    if (!note.isEmpty()) {
        p.setPen(QColor(90, 90, 90));
        p.drawText(QRectF(box.left(), y + 6, box.width(), box.bottom() - y - 6), Qt::TextWordWrap, note);
    }
}

double seriesValue(const FlopReport& r, std::size_t s, std::size_t k, const FlopCurveOptions& o)
{
    const double v = r.series[s].points[k].analytic.total;
    if (o.mode != FlopChartMode::Ratio)
        return v;
    const auto& base = r.series[std::size_t(std::clamp(o.baseline, 0, int(r.series.size()) - 1))].points;
    return k < base.size() && base[k].analytic.total > 0 ? v / base[k].analytic.total : 0.0;
}

void paintLines(QPainter& p, const QRectF& target, const FlopReport& r, const FlopCurveOptions& o)
{
    double xmin = std::numeric_limits<double>::max(), xmax = 0, ymin = xmin, ymax = 0;
    for (std::size_t s = 0; s < r.series.size(); ++s)
        for (std::size_t k = 0; k < r.series[s].points.size(); ++k) {
            const double x = double(r.series[s].points[k].length), y = seriesValue(r, s, k, o);
            if (x <= 0 || y <= 0)
                continue;
            xmin = std::min(xmin, x), xmax = std::max(xmax, x), ymin = std::min(ymin, y), ymax = std::max(ymax, y);
        }
    if (xmax <= 0) {
        p.drawText(target, Qt::AlignCenter, "no data");
        return;
    }
    const double pad = 0.03 * std::max(0.3, std::log10(xmax / xmin));
    Plot plot{target.adjusted(80, 10, -200, -46), std::log10(xmin) - pad, std::log10(xmax) + pad,
              std::floor(std::log10(ymin)), std::ceil(std::log10(ymax))};
    if (plot.x1 <= plot.x0)
        plot.x1 = plot.x0 + 1;
    if (std::log10(ymax / ymin) < 1.5) { // narrow (ratios): pad the exact range instead of whole decades
        const double ypad = 0.08 * std::max(0.2, std::log10(ymax / ymin));
        plot.y0 = std::log10(ymin) - ypad;
        plot.y1 = std::log10(ymax) + ypad;
    }
    if (plot.y1 <= plot.y0)
        plot.y1 = plot.y0 + 1;
    const QString convention = "convention: " + QString::fromStdString(r.convention.name());
    const QString yLabel = o.mode == FlopChartMode::Ratio
                               ? QString("FLOPs / FLOPs of %1 [%2]")
                                     .arg(QString::fromStdString(r.series[std::size_t(std::clamp(o.baseline, 0, int(r.series.size()) - 1))].spec.name),
                                          convention)
                               : QString("FLOPs per sequence [%1]").arg(convention);
    drawAxes(p, plot, "sequence length L (data tokens)", yLabel);
    std::vector<std::pair<QString, QColor>> legend;
    bool anyTooLarge = false, anyMeasured = false;
    p.save();
    p.setClipRect(plot.area.adjusted(-4, -4, 4, 4));
    for (std::size_t s = 0; s < r.series.size(); ++s) {
        const QColor color = flopSeriesColor(int(s));
        legend.push_back({QString::fromStdString(r.series[s].spec.name), color});
        QPainterPath path;
        bool started = false;
        for (std::size_t k = 0; k < r.series[s].points.size(); ++k) {
            const double y = seriesValue(r, s, k, o);
            if (y <= 0)
                continue;
            const QPointF pt = plot.at(double(r.series[s].points[k].length), y);
            started ? path.lineTo(pt) : path.moveTo(pt);
            started = true;
        }
        p.setPen(QPen(color, 2));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
        if (!o.showMeasured || o.mode != FlopChartMode::Curves)
            continue;
        for (const FlopPoint& pt : r.series[s].points) {
            const QPointF at = plot.at(double(pt.length), pt.analytic.total);
            if (pt.measured.status == MeasureStatus::Ran && pt.measured.flops > 0) {
                // Measured counts are in the default convention: scale like the analytic curve.
                const double scaled = pt.measured.flops * r.convention.scale();
                p.setPen(QPen(color, 1.5));
                p.drawEllipse(plot.at(double(pt.length), scaled), 5, 5);
                anyMeasured = true;
            } else if (pt.measured.status == MeasureStatus::TooLarge) {
                p.setPen(QPen(color.darker(130), 1.5));
                p.drawLine(at + QPointF(-4, -4), at + QPointF(4, 4));
                p.drawLine(at + QPointF(-4, 4), at + QPointF(4, -4));
                anyTooLarge = true;
            }
        }
    }
    p.restore();
    QString note;
    if (anyMeasured)
        note += QString::fromUtf8("○ measured by the app's own forward pass\n");
    if (anyTooLarge)
        note += QString::fromUtf8("× would not fit in memory here (not run)\n");
    drawLegend(p, QRectF(plot.area.right() + 14, plot.area.top(), 180, plot.area.height()), legend, note);
}

void paintBreakdown(QPainter& p, const QRectF& target, const FlopReport& r, const FlopCurveOptions& o)
{
    if (r.series.empty())
        return;
    const FlopSeries& s = r.series[std::size_t(std::clamp(o.breakdownSeries, 0, int(r.series.size()) - 1))];
    std::vector<QString> names;
    std::vector<std::vector<double>> shares; // [point][category] in percent
    for (const FlopPoint& pt : s.points) {
        std::vector<std::pair<QString, double>> cats;
        if (o.breakdown == FlopBreakdownKind::Stages)
            for (const auto& [k, v] : pt.analytic.stages)
                cats.push_back({QString::fromStdString(k), v});
        else
            cats = flopPartGroups(pt.analytic);
        std::vector<double> row(names.size(), 0.0);
        for (const auto& [name, v] : cats) {
            auto it = std::find(names.begin(), names.end(), name);
            if (it == names.end()) {
                names.push_back(name);
                row.push_back(0.0);
                it = names.end() - 1;
            }
            row[std::size_t(it - names.begin())] = pt.analytic.total > 0 ? 100.0 * v / pt.analytic.total : 0.0;
        }
        shares.push_back(row);
    }
    if (s.points.empty())
        return;
    const double xmin = double(s.points.front().length), xmax = double(s.points.back().length);
    const double pad = 0.03 * std::max(0.3, std::log10(xmax / xmin));
    Plot plot{target.adjusted(80, 10, -200, -46), std::log10(xmin) - pad, std::log10(xmax) + pad, 0, 100, true};
    if (plot.x1 <= plot.x0)
        plot.x1 = plot.x0 + 1;
    drawAxes(p, plot, "sequence length L (data tokens)",
             QString("share of %1's FLOPs [convention: %2]").arg(QString::fromStdString(s.spec.name),
                                                                  QString::fromStdString(r.convention.name())));
    std::vector<std::pair<QString, QColor>> legend;
    std::vector<double> below(s.points.size(), 0.0);
    for (std::size_t c = 0; c < names.size(); ++c) {
        QPainterPath area;
        for (std::size_t k = 0; k < s.points.size(); ++k) {
            const QPointF pt = plot.at(double(s.points[k].length), below[k] + (c < shares[k].size() ? shares[k][c] : 0.0));
            k == 0 ? area.moveTo(pt) : area.lineTo(pt);
        }
        for (std::size_t k = s.points.size(); k-- > 0;)
            area.lineTo(plot.at(double(s.points[k].length), below[k]));
        area.closeSubpath();
        const QColor color = flopSeriesColor(int(c) + 3);
        p.setPen(QPen(color.darker(120), 1));
        p.setBrush(color);
        p.drawPath(area);
        for (std::size_t k = 0; k < s.points.size(); ++k)
            below[k] += c < shares[k].size() ? shares[k][c] : 0.0;
        legend.push_back({names[c], color});
    }
    std::reverse(legend.begin(), legend.end()); // top of the stack first
    drawLegend(p, QRectF(plot.area.right() + 14, plot.area.top(), 180, plot.area.height()), legend,
               "softmax, LayerNorm and GELU are counted apart and not shown");
}

} // namespace

std::vector<std::pair<QString, double>> flopPartGroups(const FlopBreakdown& b)
{
    const std::pair<const char*, std::vector<const char*>> groups[] = {
        {"embedding + head", {"patch_embed", "head"}},
        {"ToMe matching", {"tome_match"}},
        {"cross-attention", {"cross_q", "cross_kv", "cross_qk", "cross_av", "cross_proj"}},
        {"MLP", {"mlp"}},
        {"projections (QKV, out)", {"qkv", "attn_proj"}},
        {"attention (QK^T, AV)", {"attn_qk", "attn_av"}},
    };
    std::vector<std::pair<QString, double>> out;
    double listed = 0;
    for (const auto& [name, parts] : groups) {
        double v = 0;
        for (const char* part : parts)
            v += b.part(part);
        listed += v;
        if (v > 0)
            out.push_back({name, v});
    }
    if (b.total - listed > 1e-9 * b.total)
        out.push_back({"other", b.total - listed});
    return out;
}

QColor flopSeriesColor(int index)
{
    static const QColor palette[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                                     QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75),
                                     QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34),
                                     QColor(23, 190, 207)};
    return palette[std::abs(index) % 10];
}

QString formatFlopCount(double flops)
{
    const char* units[] = {"", "K", "M", "G", "T", "P", "E", "Z"};
    int u = 0;
    while (std::abs(flops) >= 1000 && u < 7)
        flops /= 1000, ++u;
    return QString("%1 %2FLOPs").arg(flops, 0, 'f', flops < 10 ? 3 : flops < 100 ? 2 : 1).arg(units[u]);
}

QSizeF flopCurveNaturalSize() { return {960, 600}; }

void paintFlopCurves(QPainter& p, const QRectF& target, const FlopReport& r, const FlopCurveOptions& o)
{
    p.save();
    p.fillRect(target, Qt::white);
    QFont title = p.font();
    title.setPixelSize(15);
    title.setBold(true);
    p.setFont(title);
    p.setPen(Qt::black);
    const char* what = o.mode == FlopChartMode::Curves ? "FLOPs per forward pass"
                       : o.mode == FlopChartMode::Ratio ? "FLOP ratio to a baseline"
                                                        : "Where the FLOPs go";
    p.drawText(QRectF(target.left() + 12, target.top() + 8, target.width() - 24, 22), Qt::AlignLeft, what);
    QFont normal = title;
    normal.setBold(false);
    normal.setPixelSize(12);
    p.setFont(normal);
    p.setPen(QColor(70, 70, 70));
    p.drawText(QRectF(target.left() + 12, target.top() + 28, target.width() - 24, 18), Qt::AlignLeft,
               "convention " + QString::fromStdString(r.convention.name()) + ": " + QString::fromStdString(r.convention.label())
                   + "; softmax, LayerNorm, GELU counted apart");
    p.setPen(Qt::black);
    const QRectF body = target.adjusted(0, 54, 0, 0);
    if (r.series.empty())
        p.drawText(body, Qt::AlignCenter, "no models");
    else if (o.mode == FlopChartMode::Breakdown)
        paintBreakdown(p, body, r, o);
    else
        paintLines(p, body, r, o);
    p.restore();
}

Figure flopCurveFigure(const FlopReport& report, const FlopCurveOptions& options, const QString& command)
{
    Figure f;
    f.size = flopCurveNaturalSize();
    f.paint = [report, options](QPainter& p, const QRectF& r) { paintFlopCurves(p, r, report, options); };
    f.title = "TokenScope FLOP curves";
    QStringList models;
    QJsonArray names;
    for (const FlopSeries& s : report.series) {
        models << QString::fromStdString(s.spec.name + ": " + s.spec.summary());
        names.append(QString::fromStdString(s.spec.name));
    }
    f.description = QString("convention: %1\n%2").arg(QString::fromStdString(report.convention.label()), models.join("\n"));
    QJsonArray lengths;
    if (!report.series.empty())
        for (const FlopPoint& pt : report.series.front().points)
            lengths.append(double(pt.length));
    const char* mode = options.mode == FlopChartMode::Curves ? "curves" : options.mode == FlopChartMode::Ratio ? "ratio" : "breakdown";
    QJsonObject recipe{{"view", "flops"}, {"mode", mode}, {"models", names}, {"lengths", lengths},
                       {"convention", QString::fromStdString(report.convention.name())},
                       {"baseline", options.baseline}, {"breakdown_model", options.breakdownSeries},
                       {"breakdown", options.breakdown == FlopBreakdownKind::Stages ? "stages" : "groups"}};
    f.recipeJson = QString::fromUtf8(QJsonDocument(recipe).toJson(QJsonDocument::Compact));
    f.command = command;
    return f;
}

} // namespace ts
