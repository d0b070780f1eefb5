#include "ui/figures/fam_overlay_figure.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/rgb_image.h"
#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "ui/figures/figure_recipe.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QPainter>

#include <algorithm>

namespace ts {
namespace {

constexpr double kPanel = 448, kMargin = 16, kCaption = 36, kFooter = 40;

QRectF cellRect(const QRectF& box, int grid, std::int64_t token)
{
    const double c = box.width() / grid;
    return {box.left() + static_cast<double>(token % grid) * c, box.top() + static_cast<double>(token / grid) * c, c, c};
}

void paintImageMode(QPainter& p, const QRectF& box, const FamOverlayData& d)
{
    p.drawImage(box, d.image);
    const std::int64_t patches = std::int64_t(d.grid) * d.grid;
    // Alternate blocks lightly tinted so their raster runs are visible.
    for (std::int64_t t = 0; t < patches; ++t)
        if ((t / d.block) % 2 == 1)
            p.fillRect(cellRect(box, d.grid, t), QColor(255, 255, 255, 40));
    if (d.overlayBlock >= 0 && !d.attention.empty()) {
        p.fillRect(box, QColor(0, 0, 0, 110)); // dim everything but the block
        const float peak = std::max(1e-12f, *std::max_element(d.attention.begin(), d.attention.end()));
        for (std::size_t i = 0; i < d.attention.size(); ++i) {
            const QRectF cell = cellRect(box, d.grid, d.firstToken + static_cast<std::int64_t>(i));
            // Undim the block's own cells: the same image part, mapped back to image pixels.
            const double sx = d.image.width() / box.width(), sy = d.image.height() / box.height();
            p.drawImage(cell, d.image,
                        QRectF((cell.left() - box.left()) * sx, (cell.top() - box.top()) * sy, cell.width() * sx, cell.height() * sy));
            p.fillRect(cell, QColor(214, 39, 40, static_cast<int>(215 * d.attention[i] / peak)));
        }
    }
    // Outline the chosen block's cells.
    if (d.overlayBlock >= 0) {
        p.setPen(QPen(QColor(255, 220, 0), 1.5));
        p.setBrush(Qt::NoBrush);
        const std::int64_t first = std::int64_t(d.overlayBlock) * d.block;
        for (std::int64_t t = first; t < std::min<std::int64_t>(patches, first + d.block); ++t)
            p.drawRect(cellRect(box, d.grid, t));
    }
}

void paintStreamMode(QPainter& p, const QRectF& box, const FamOverlayData& d)
{
    p.fillRect(box, figurePanelFill(p, 248));
    if (d.attention.empty())
        return;
    // Bars: memory, previous FAM, then each token of the block.
    const std::size_t n = d.attention.size() + 2;
    const float peak = std::max({1e-12f, d.onMemory, d.onPreviousFam, *std::max_element(d.attention.begin(), d.attention.end())});
    const double w = box.width() / static_cast<double>(n);
    auto bar = [&](std::size_t i, float v, const QColor& colour) {
        const double h = (box.height() - 20) * v / peak;
        p.fillRect(QRectF(box.left() + i * w, box.bottom() - h, std::max(1.0, w - 1), h), colour);
    };
    bar(0, d.onMemory, QColor(255, 127, 14));
    bar(1, d.onPreviousFam, QColor(214, 39, 40));
    for (std::size_t i = 0; i < d.attention.size(); ++i)
        bar(i + 2, d.attention[i], QColor(31, 119, 180));
    p.setPen(figureInk(p));
    p.drawText(box.adjusted(4, 2, -4, 0), Qt::AlignLeft | Qt::AlignTop,
               QObject::tr("memory | previous FAM | tokens %1..%2").arg(d.firstToken).arg(d.firstToken + d.attention.size() - 1));
}

} // namespace

FamOverlayData famBlocksData(const QImage& image, int grid, int block)
{
    FamOverlayData d;
    d.image = image;
    d.grid = grid;
    d.block = std::max(1, block);
    d.blocks = grid > 0 ? (std::int64_t(grid) * grid + d.block - 1) / d.block : 0;
    d.caption = QObject::tr("%1 blocks of %2 patches (raster order)").arg(d.blocks).arg(d.block);
    return d;
}

FamOverlayData famOverlayData(const FamResult& r)
{
    FamOverlayData d;
    d.image = qImageFromRgb(r.crop);
    d.grid = r.grid;
    d.block = r.block;
    d.blocks = r.blocks;
    d.overlayBlock = r.overlayBlock;
    d.firstToken = r.overlayFirstToken;
    d.attention = r.overlayAttention;
    d.onPreviousFam = r.overlayOnPreviousFam;
    d.onMemory = r.overlayOnMemory;
    d.withFam = r.withFam;
    const QString scheme = r.withFam ? QObject::tr("FAM b=%1 s=%2 f=%3").arg(r.block).arg(r.memory).arg(r.fam)
                                     : QObject::tr("BSWA b=%1 s=%2").arg(r.block).arg(r.memory);
    d.caption = QObject::tr("%1 (%2), %3, %4: %5 queries of block %6, layer %7")
                    .arg(QString::fromStdString(vitDisplayName(r.config)), QString::fromStdString(r.weights), scheme,
                         r.causal ? QObject::tr("causal blocks") : QObject::tr("bidirectional blocks"),
                         r.withFam ? QObject::tr("FAM") : QObject::tr("block"))
                    .arg(r.overlayBlock)
                    .arg(r.overlayLayer + 1);
    // No seconds, speed or memory here: they change from run to run, and a recipe's rerun must give
    // the same pixels (they are in the data export and the panel's status).
    d.footer = QObject::tr("%1 tokens in %2 blocks\non previous FAM %3, on memory %4")
                   .arg(r.length)
                   .arg(r.blocks)
                   .arg(r.overlayOnPreviousFam, 0, 'f', 3)
                   .arg(r.overlayOnMemory, 0, 'f', 3);
    return d;
}

QSizeF famOverlayNaturalSize() { return {kPanel + 2 * kMargin, kCaption + kPanel + kFooter + 2 * kMargin}; }

QRectF famOverlayImageRect(const QRectF& target)
{
    const QSizeF natural = famOverlayNaturalSize();
    const double s = std::min(target.width() / natural.width(), target.height() / natural.height());
    const QPointF origin = target.center() - QPointF(natural.width() * s / 2, natural.height() * s / 2);
    return {origin + QPointF(kMargin * s, (kMargin / 2 + kCaption) * s), QSizeF(kPanel * s, kPanel * s)};
}

void paintFamOverlay(QPainter& p, const QRectF& target, const FamOverlayData& d)
{
    const QRectF box = famOverlayImageRect(target);
    const double s = box.width() / kPanel;
    QFont font = p.font();
    font.setPixelSize(std::max(7, static_cast<int>(12 * s)));
    p.setFont(font);
    p.setPen(figureInk(p));
    p.drawText(QRectF(box.left(), box.top() - kCaption * s, box.width(), kCaption * s),
               Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, d.caption);
    if (!d.image.isNull() && d.grid > 0)
        paintImageMode(p, box, d);
    else
        paintStreamMode(p, box, d);
    p.setPen(figureInk(p));
    p.drawText(QRectF(box.left(), box.bottom() + 4 * s, box.width(), (kFooter - 4) * s), Qt::AlignLeft | Qt::AlignTop,
               d.footer);
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
    return settings;
}

Figure famOverlayFigure(const FamResult& result, const FamSettings& settings)
{
    const FamOverlayData data = famOverlayData(result);
    Figure f;
    f.size = famOverlayNaturalSize();
    f.paint = [data](QPainter& p, const QRectF& r) { paintFamOverlay(p, r, data); };
    f.title = QObject::tr("FAM attention");
    f.description = data.caption;
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
    QJsonObject overlay;
    overlay["block"] = r.overlayBlock;
    overlay["layer"] = r.overlayLayer;
    overlay["first_token"] = static_cast<qint64>(r.overlayFirstToken);
    QJsonArray weights;
    for (float w : r.overlayAttention)
        weights.append(static_cast<double>(w));
    overlay["attention"] = weights;
    overlay["on_previous_fam"] = static_cast<double>(r.overlayOnPreviousFam);
    overlay["on_memory"] = static_cast<double>(r.overlayOnMemory);
    o["overlay"] = overlay;
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace ts
