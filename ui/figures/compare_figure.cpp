#include "ui/figures/compare_figure.h"

#include "core/render/merge_map.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_recipe.h"
#include "ui/figures/rgb_image.h"

#include <QObject>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace ts {
namespace {

constexpr double kPanel = 256, kMargin = 16, kLine = 20, kChart = 200;

} // namespace

CompareData compareData(const CompareResult& result, double targetFlops)
{
    CompareData d;
    d.caption = QObject::tr("%1, %2 — budget %3 GFLOPs (unreduced %4)")
                    .arg(QString::fromStdString(vitDisplayName(result.plain.config)), QString::fromStdString(result.plain.weights))
                    .arg(targetFlops / 1e9, 0, 'f', 2)
                    .arg(result.methods.empty() ? 0.0 : result.methods.front().budget.plainFlops / 1e9, 0, 'f', 2);
    for (const MethodComparison& m : result.methods) {
        ComparePanel p;
        MergeMapStyle style;
        style.outputSize = static_cast<int>(kPanel);
        p.map = qImageFromRgb(renderMergeMap(m.run.crop, m.run.grid, m.run.tokenOfPatch.back(), style));
        p.title = QObject::tr("%1: %2 GFLOPs, %3 tokens")
                      .arg(QString::fromUtf8(reductionMethodTitle(m.options.method)))
                      .arg(m.budget.flops / 1e9, 0, 'f', 2)
                      .arg(m.run.tokens.back());
        p.agreement = QObject::tr("cosine %1").arg(m.agreement.cosine, 0, 'f', 4);
        if (m.agreement.hasHead)
            p.agreement += QObject::tr(", KL %1, top-1 %2").arg(m.agreement.kl, 0, 'g', 3).arg(m.agreement.top1Same ? "same" : "differs");
        p.tokens = m.run.tokens;
        d.panels.push_back(std::move(p));
    }
    return d;
}

QSizeF compareNaturalSize(int panels)
{
    const int n = std::max(1, panels);
    return {n * kPanel + (n + 1) * kMargin, kLine + 2 * kLine + kPanel + kMargin + kChart + 2 * kMargin};
}

void paintCompare(QPainter& painter, const QRectF& target, const CompareData& d)
{
    const QSizeF natural = compareNaturalSize(static_cast<int>(d.panels.size()));
    const double s = std::min(target.width() / natural.width(), target.height() / natural.height());
    painter.save();
    painter.translate(target.center() - QPointF(natural.width() * s / 2, natural.height() * s / 2));
    painter.scale(s, s);
    QFont font = painter.font();
    font.setPixelSize(12);
    painter.setFont(font);
    painter.setPen(figureInk(painter));
    painter.drawText(QRectF(kMargin, 0, natural.width() - 2 * kMargin, kLine), Qt::AlignLeft | Qt::AlignVCenter, d.caption);
    int maxTokens = 1, blocks = 1;
    for (std::size_t i = 0; i < d.panels.size(); ++i) {
        const ComparePanel& p = d.panels[i];
        const double x = kMargin + static_cast<double>(i) * (kPanel + kMargin);
        painter.setPen(methodColour(static_cast<int>(i)));
        painter.drawText(QRectF(x, kLine, kPanel, kLine), Qt::AlignLeft | Qt::AlignVCenter, p.title);
        painter.setPen(figureSubtleInk(painter));
        painter.drawText(QRectF(x, 2 * kLine, kPanel, kLine), Qt::AlignLeft | Qt::AlignVCenter, p.agreement);
        painter.drawImage(QRectF(x, 3 * kLine, kPanel, kPanel), p.map);
        maxTokens = std::max(maxTokens, p.tokens.empty() ? 1 : p.tokens.front());
        blocks = std::max(blocks, static_cast<int>(p.tokens.size()) - 1);
    }
    // Tokens per block, one line per method.
    const QRectF chart(kMargin + 40, 3 * kLine + kPanel + kMargin, natural.width() - 2 * kMargin - 40, kChart - kLine);
    painter.setPen(QPen(figureSubtleInk(painter), 1));
    painter.drawRect(chart);
    painter.drawText(QRectF(kMargin, chart.top(), 36, kLine), Qt::AlignRight | Qt::AlignTop, QString::number(maxTokens));
    painter.drawText(QRectF(kMargin, chart.bottom() - kLine, 36, kLine), Qt::AlignRight | Qt::AlignBottom, "0");
    painter.drawText(QRectF(chart.left(), chart.bottom(), chart.width(), kLine), Qt::AlignCenter,
                     QObject::tr("tokens after each block (0 to %1)").arg(blocks));
    for (std::size_t i = 0; i < d.panels.size(); ++i) {
        QPainterPath path;
        const auto& t = d.panels[i].tokens;
        for (std::size_t k = 0; k < t.size(); ++k) {
            const QPointF pt(chart.left() + chart.width() * static_cast<double>(k) / blocks,
                             chart.bottom() - chart.height() * t[k] / maxTokens);
            k == 0 ? path.moveTo(pt) : path.lineTo(pt);
        }
        painter.setPen(QPen(methodColour(static_cast<int>(i)), 2));
        painter.drawPath(path);
    }
    painter.restore();
}

Figure compareFigure(const CompareResult& result, double targetFlops, const nlohmann::json& settings,
                     const std::vector<std::string>& recipeArguments)
{
    auto data = std::make_shared<CompareData>(compareData(result, targetFlops));
    Figure f;
    f.size = compareNaturalSize(static_cast<int>(data->panels.size()));
    f.paint = [data](QPainter& p, const QRectF& r) { paintCompare(p, r, *data); };
    f.title = QObject::tr("Token reduction at one budget");
    f.description = data->caption;
    setFigureRecipe(f, "compare", settings, recipeArguments);
    return f;
}

} // namespace ts
