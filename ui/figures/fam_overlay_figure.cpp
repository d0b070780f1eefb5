#include "ui/figures/fam_overlay_figure.h"

#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "ui/figures/figure_recipe.h"
#include "ui/figures/rgb_image.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ts {
namespace {

constexpr double kPanel = 448; // the image's side at the natural size

double sum(const std::vector<float>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

FamShares sharesOf(const std::vector<float>& block, const std::vector<float>& fam, const std::vector<float>& memory)
{
    return {sum(block), sum(fam), sum(memory)};
}

QString schemeText(const FamResult& r)
{
    return r.withFam ? QObject::tr("FAM b = %1, s = %2, f = %3").arg(r.block).arg(r.memory).arg(r.fam)
                     : QObject::tr("BSWA b = %1, s = %2").arg(r.block).arg(r.memory);
}

// The key grid's rows, top to bottom: each memory segment (oldest first), the previous FAM, the block.
QStringList keyRowLabels(const FamOverlayData& d)
{
    QStringList rows;
    const std::int64_t segments = d.block > 0 ? static_cast<std::int64_t>(d.memoryAttention.size()) / d.block : 0;
    for (std::int64_t i = 0; i < segments; ++i)
        rows << QObject::tr("memory %1").arg(d.overlayBlock - segments + i);
    if (d.fam > 0)
        rows << QObject::tr("FAM");
    rows << QObject::tr("block %1").arg(d.overlayBlock);
    return rows;
}

} // namespace

FamShares famShares(const FamResult& r) { return sharesOf(r.overlayAttention, r.overlayFamAttention, r.overlayMemoryAttention); }

FamShares famShares(const FamOverlayData& d) { return sharesOf(d.attention, d.famAttention, d.memoryAttention); }

QString famSharesText(const FamShares& s)
{
    return QObject::tr("%1% on the block, %2% on the previous FAM, %3% on memory segments")
        .arg(100.0 * s.block, 0, 'f', 1)
        .arg(100.0 * s.previousFam, 0, 'f', 1)
        .arg(100.0 * s.memory, 0, 'f', 1);
}

QString famQueryText(const FamResult& r)
{
    const auto n = static_cast<int>(r.overlayAttention.size());
    if (r.overlayQuery < 0)
        return r.withFam ? QObject::tr("the FAM queries (mean of %1)").arg(r.fam) : QObject::tr("the block's queries (mean of %1)").arg(n);
    if (r.overlayQuery >= n)
        return QObject::tr("FAM query %1").arg(r.overlayQuery - n);
    return QObject::tr("token %1 (position %2 of block %3)").arg(r.overlayFirstToken + r.overlayQuery).arg(r.overlayQuery).arg(r.overlayBlock);
}

FamOverlayData famBlocksData(const QImage& image, int grid, int block)
{
    FamOverlayData d;
    d.image = image;
    d.grid = grid;
    d.block = std::max(1, block);
    d.blocks = grid > 0 ? (std::int64_t(grid) * grid + d.block - 1) / d.block : 0;
    d.title = QObject::tr("%1 blocks of %2 patches (raster order)").arg(d.blocks).arg(d.block);
    d.imageTitle = QObject::tr("Model input, blocks numbered");
    return d;
}

FamOverlayData famOverlayData(const FamResult& r, FamSettings::Range range)
{
    FamOverlayData d;
    d.image = r.imageMode ? qImageFromRgb(r.crop) : QImage();
    d.grid = r.grid;
    d.block = r.block;
    d.fam = r.withFam ? r.fam : 0;
    d.blocks = r.blocks;
    d.overlayBlock = r.overlayBlock;
    d.query = r.overlayQuery;
    d.firstToken = r.overlayFirstToken;
    d.memoryFirstToken = r.overlayMemoryFirstToken;
    d.attention = r.overlayAttention;
    d.memoryAttention = r.overlayMemoryAttention;
    d.famAttention = r.overlayFamAttention;
    // The weights of the keys the query sees (a key it cannot see is an exact 0, drawn grey).
    float lo = 1, hi = 0;
    for (const auto* v : {&d.attention, &d.memoryAttention, &d.famAttention})
        for (float x : *v)
            if (x > 0) {
                lo = std::min(lo, x);
                hi = std::max(hi, x);
            }
    if (hi <= 0)
        lo = 0;
    const int n = std::max(1, static_cast<int>(std::lround(r.overlayVisibleKeys)));
    const bool exact = std::abs(r.overlayVisibleKeys - n) < 1e-9;
    const double barLo = range == FamSettings::Range::Data ? lo : 0.0;
    const double barHi = range == FamSettings::Range::Fixed ? 1.0 : hi;
    d.bar = colourBarFor(barLo, barHi, 1.0 / r.overlayVisibleKeys,
                         exact ? QObject::tr("1/%1 uniform").arg(n) : QObject::tr("1/%1 uniform (mean)").arg(r.overlayVisibleKeys, 0, 'f', 1));
    d.title = QObject::tr("%1: layer %2, block %3").arg(schemeText(r)).arg(r.overlayLayer + 1).arg(r.overlayBlock);
    d.footer << QObject::tr("%1 (%2), %3; query: %4.")
                    .arg(QString::fromStdString(vitDisplayName(r.config)), QString::fromStdString(r.weights),
                         r.causal ? QObject::tr("causal inside each block") : QObject::tr("bidirectional inside each block"), famQueryText(r));
    d.imageTitle = QObject::tr("The image: memory and block %1").arg(r.overlayBlock);
    d.keysTitle = QObject::tr("Every key: memory blocks, previous FAM, block %1").arg(r.overlayBlock);
    const QString shares = QObject::tr("Attention: %1").arg(famSharesText(famShares(r)));
    (d.hasImage() ? d.imageStatistics : d.keysStatistics) << shares;
    d.keysStatistics << QObject::tr("Uniform attention over the %1 keys the query sees: %2")
                            .arg(exact ? QString::number(n) : QString::number(r.overlayVisibleKeys, 'f', 1))
                            .arg(colourBarNumber(1.0 / r.overlayVisibleKeys));
    // No seconds, speed or memory here: they change from run to run, and a recipe's rerun must give
    // the same pixels (they are in the data export and the panel's status).
    const QString colours = range == FamSettings::Range::Data    ? QObject::tr("from the smallest to the largest weight of the keys seen")
                            : range == FamSettings::Range::Fixed ? QObject::tr("from 0 to 1 (fixed)")
                                                                 : QObject::tr("from 0 to the largest weight shown");
    d.footer << QObject::tr("%1 %2 in %3 blocks of %4; colours (viridis) %5, mean over heads.")
                    .arg(r.length)
                    .arg(r.imageMode ? QObject::tr("patches (raster order)") : QObject::tr("synthetic tokens"))
                    .arg(r.blocks)
                    .arg(r.block)
                    .arg(colours);
    return d;
}

FigureSpec famOverlaySpec(const FamOverlayData& d)
{
    FigureSpec spec;
    spec.title = d.title;
    if (d.hasImage()) {
        PanelSpec image;
        image.title = d.imageTitle;
        image.aspect = 1;
        image.statistics = d.imageStatistics;
        spec.panels.push_back(image);
    }
    if (d.hasAttention()) {
        PanelSpec keys;
        keys.title = d.keysTitle;
        keys.yTickLabels = keyRowLabels(d);
        const int columns = std::max(d.block, d.fam);
        keys.xTickLabels = QStringList{"0", QString::number(columns - 1)};
        keys.xTitle = QObject::tr("position in the block");
        keys.colourBar = d.bar;
        // Panels share one data size (figure_layout.h): beside the image the grid is square too.
        keys.aspect = d.hasImage() ? 1.0 : std::clamp(double(columns) / keys.yTickLabels.size(), 1.0, 3.0);
        keys.statistics = d.keysStatistics;
        spec.panels.push_back(keys);
        // Only what the figure shows: memory segments, one query, keys the query cannot see.
        if (!d.memoryAttention.empty())
            spec.legend.push_back({QObject::tr("memory segment"), QColor(255, 127, 14), LegendEntry::Swatch::Line});
        spec.legend.push_back({QObject::tr("block shown"), QColor(255, 220, 0), LegendEntry::Swatch::Line});
        if (d.query >= 0)
            spec.legend.push_back({QObject::tr("query shown"), QColor(0, 220, 255), LegendEntry::Swatch::Line});
        auto unseen = [](const std::vector<float>& v) { return std::find(v.begin(), v.end(), 0.0f) != v.end(); };
        if (unseen(d.attention) || unseen(d.memoryAttention) || unseen(d.famAttention))
            spec.legend.push_back({QObject::tr("key not seen"), QColor(150, 150, 150)});
    }
    spec.caption = d.footer;
    return spec;
}

QSizeF famOverlayNaturalSize(const FamOverlayData& d)
{
    const FigureSpec spec = famOverlaySpec(d);
    return figureSizeFor(spec, QSizeF(kPanel, kPanel / std::max(1.0, spec.panels.empty() ? 1.0 : spec.panels.back().aspect)));
}

FamSettings famSettingsAsRun(const FamResult& result, FamSettings settings)
{
    settings.block = result.block;
    settings.memory = result.memory;
    settings.withFam = result.withFam;
    if (result.withFam)
        settings.fam = result.fam;
    settings.overlayBlock = result.overlayBlock;
    settings.layer = result.overlayLayer + 1;
    settings.query = result.overlayQuery;
    return settings;
}

Figure famOverlayFigure(const FamResult& result, const FamSettings& settings)
{
    return famOverlayFigure(result, settings, std::make_shared<const FamOverlayData>(famOverlayData(result, settings.range)));
}

Figure famOverlayFigure(const FamResult& result, const FamSettings& settings, std::shared_ptr<const FamOverlayData> data)
{
    Figure f;
    f.size = famOverlayNaturalSize(*data);
    f.paint = [data](QPainter& p, const QRectF& r) { paintFamOverlay(p, r, *data); };
    f.title = QObject::tr("FAM attention");
    f.description = data->title + " — " + data->footer.join(" ");
    const FamSettings shown = famSettingsAsRun(result, settings);
    setFigureRecipe(f, "fam", toJson(shown), recipeArguments(shown));
    return f;
}

QByteArray famResultJson(const FamResult& r)
{
    QJsonObject o;
    o["model"] = QString::fromStdString(vitDisplayName(r.config));
    o["weights"] = QString::fromStdString(r.weights);
    o["mode"] = r.imageMode ? "image" : "stream";
    o["scheme"] = r.withFam ? "fam" : "bswa";
    o["causal"] = r.causal;
    o["length"] = static_cast<qint64>(r.length);
    o["block"] = r.block;
    o["memory"] = r.memory;
    o["fam"] = r.fam;
    o["blocks"] = static_cast<qint64>(r.blocks);
    o["seconds"] = r.seconds;
    o["tokens_per_second"] = r.tokensPerSecond;
    o["peak_memory_bytes"] = static_cast<qint64>(r.peakMemoryBytes);
    o["estimated_memory_bytes"] = static_cast<qint64>(r.estimatedMemoryBytes);
    o["flops"] = r.flops.matmulTotal();
    auto array = [](const std::vector<float>& v) {
        QJsonArray a;
        for (float w : v)
            a.append(static_cast<double>(w));
        return a;
    };
    QJsonObject overlay;
    overlay["block"] = r.overlayBlock;
    overlay["layer"] = r.overlayLayer;
    overlay["query"] = r.overlayQuery;
    overlay["first_token"] = static_cast<qint64>(r.overlayFirstToken);
    overlay["attention"] = array(r.overlayAttention);
    overlay["memory_first_token"] = static_cast<qint64>(r.overlayMemoryFirstToken);
    overlay["memory_attention"] = array(r.overlayMemoryAttention);
    overlay["previous_fam_attention"] = array(r.overlayFamAttention);
    overlay["on_previous_fam"] = static_cast<double>(r.overlayOnPreviousFam);
    overlay["on_memory"] = static_cast<double>(r.overlayOnMemory);
    overlay["visible_keys"] = r.overlayVisibleKeys;
    o["overlay"] = overlay;
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace ts
