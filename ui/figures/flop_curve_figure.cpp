#include "ui/figures/flop_curve_figure.h"

#include "core/util/error.h"
#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "ui/figures/figure_recipe.h"
#include "ui/figures/flop_charts.h"

#include <QGraphicsScene>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace ts {

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

std::vector<std::pair<QString, double>> flopBreakdownCategories(const FlopBreakdown& b, FlopBreakdownKind kind)
{
    if (kind == FlopBreakdownKind::Groups)
        return flopPartGroups(b);
    std::vector<std::pair<QString, double>> out;
    for (const auto& [name, v] : b.stages)
        out.push_back({QString::fromStdString(name), v});
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

QString flopMarkLabel(long long tokens) { return tokens > 0 ? QString("image: %1 tokens").arg(tokens) : QString(); }

Figure flopCurveFigure(const FlopReport& report, const FlopCurveOptions& options, const QString& command, QSizeF size)
{
    Figure f;
    f.size = size.isEmpty() ? flopCurveNaturalSize() : size;
    // The charts are built afresh for each paint (a few milliseconds) and laid out at the
    // figure's own size, then scaled into the target: text keeps its proportions at any scale.
    f.paint = [report, options, natural = f.size](QPainter& p, const QRectF& target) {
        QGraphicsScene scene;
        const std::vector<QChart*> charts = buildFlopCharts(scene, report, options, natural);
        recordFlopCharts(charts, scene, QRectF(QPointF(0, 0), natural), p.combinedTransform().mapRect(target));
        p.save();
        p.setRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::TextAntialiasing);
        scene.render(&p, target, QRectF(QPointF(0, 0), natural), Qt::IgnoreAspectRatio);
        p.restore();
    };
    f.title = "TokenScope FLOP curves";
    QStringList models;
    QJsonArray names;
    for (const FlopSeries& s : report.series) {
        models << QString::fromStdString(s.spec.name + ": " + s.spec.summary());
        names.append(QString::fromStdString(s.spec.name));
    }
    int ran = 0;
    for (const FlopSeries& s : report.series)
        for (const FlopPoint& p : s.points)
            ran += p.measured.status == MeasureStatus::Ran;
    f.description = QString("convention: %1\n%2").arg(QString::fromStdString(report.convention.label()), models.join("\n"));
    if (ran > 0)
        f.description += QString("\n%1 points measured here: the app's own forward pass, seeded random weights").arg(ran);
    QJsonArray lengths;
    if (!report.series.empty())
        for (const FlopPoint& pt : report.series.front().points)
            lengths.append(double(pt.length));
    const char* mode = options.mode == FlopChartMode::Curves ? "curves" : options.mode == FlopChartMode::Ratio ? "ratio" : "breakdown";
    QJsonObject recipe{{"view", "flops"}, {"mode", mode}, {"models", names}, {"lengths", lengths},
                       {"convention", QString::fromStdString(report.convention.name())},
                       {"baseline", options.baseline}, {"breakdown_model", options.breakdownSeries},
                       {"breakdown", options.breakdown == FlopBreakdownKind::Stages ? "stages" : "groups"},
                       {"measured_points", ran}};
    f.recipeJson = QString::fromUtf8(QJsonDocument(recipe).toJson(QJsonDocument::Compact));
    f.command = command;
    return f;
}

Figure flopCurveFigure(const FlopReport& report, FlopCurveOptions options, const FlopSettings& settings)
{
    options.showRunCharts = false;
    options.markLength = settings.markLength;
    options.markLabel = flopMarkLabel(settings.markLength);
    Figure f = flopCurveFigure(report, options, QString(), QSizeF(settings.figureWidth, settings.figureHeight));
    setFigureRecipe(f, "flops", toJson(settings), recipeArguments(settings));
    return f;
}

} // namespace ts
