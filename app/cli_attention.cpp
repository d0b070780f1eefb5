// tokenscope attention: where the class token looks in one block (one head or the mean), or its
// attention rollout, drawn over the model's input; with ToMe, merged tokens' weights are spread
// over the patches they hold.
#include "app/cli_model.h"
#include "app/command_line.h"
#include "core/io/image_io.h"
#include "core/util/error.h"
#include "core/vit/attention_record.h"
#include "ui/figures/figure_export.h"

#include <QBuffer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <iostream>

namespace ts::cli {
namespace {

QJsonArray numbers(const std::vector<float>& v)
{
    QJsonArray a;
    for (float x : v)
        a.append(static_cast<double>(x));
    return a;
}

// The crop with the map as a heat overlay (black -> red -> yellow, scaled to the map's maximum).
QByteArray overlayPng(const AttentionResult& r, const std::vector<float>& map)
{
    const int size = r.crop.cols, grid = r.grid;
    QImage image(size, size, QImage::Format_RGB32);
    const float top = std::max(1e-12f, *std::max_element(map.begin(), map.end()));
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
            const cv::Vec3b px = r.crop.at<cv::Vec3b>(y, x);
            const int patch = std::min(grid - 1, y * grid / size) * grid + std::min(grid - 1, x * grid / size);
            const float t = map[static_cast<std::size_t>(patch)] / top;
            const float heat[3] = {std::min(1.0f, 2 * t), std::max(0.0f, 2 * t - 1), 0.0f};
            int c[3];
            for (int k = 0; k < 3; ++k)
                c[k] = static_cast<int>(0.4f * px[k] + 0.6f * 255.0f * heat[k]);
            image.setPixel(x, y, qRgb(c[0], c[1], c[2]));
        }
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QByteArray resultJson(const AttentionResult& r, bool rollout)
{
    QJsonObject o;
    o["block"] = r.block + 1;
    o["head"] = r.head < 0 ? QJsonValue("mean") : QJsonValue(r.head);
    o["grid"] = r.grid;
    o["tokens"] = r.tokens;
    o["merged"] = r.merged;
    if (r.merged)
        o["note"] = "tokens had merged: a merged token's weight is shared equally by the patches it holds";
    o["class_to_patches"] = numbers(r.classToPatches);
    QJsonArray prefixRows, prefixPrefix;
    for (std::size_t p = 0; p < r.prefixToPatches.size(); ++p) {
        prefixRows.append(numbers(r.prefixToPatches[p]));
        prefixPrefix.append(numbers(r.prefixToPrefix[p]));
    }
    o["prefix_to_patches"] = prefixRows; // class, distillation, registers: each its own row
    o["prefix_to_prefix"] = prefixPrefix;
    if (rollout)
        o["rollout"] = numbers(r.rolloutToPatches);
    o["model"] = QJsonObject{{"family", QString::fromStdString(r.config.family)},
                             {"format", QString::fromStdString(r.config.format)},
                             {"prefix_tokens", r.config.prefixTokens()},
                             {"depth", r.config.depth},
                             {"heads", r.config.heads}};
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace

int runAttentionCommand(const std::vector<std::string>& argv)
{
    // --mean is the head mean here, so this command takes no --mean/--std normalisation: the
    // checkpoint's side files, else ImageNet's.
    std::set<std::string> valued = {"image", "r", "block", "head", "out", "json", "preset", "checkpoint", "seed", "size"};
    const Args args(argv, valued, {"mean", "rollout", "no-prop-attn"});
    const std::string out = args.value("out");
    if (!QString::fromStdString(out).endsWith(".png", Qt::CaseInsensitive))
        throw Error("--out must name a .png file");
    if (args.has("head") && args.flag("mean"))
        throw Error("give either --head H or --mean, not both");
    AttentionRequest request;
    request.block = static_cast<int>(args.integer("block", 1, 4096)) - 1;
    request.head = args.has("head") ? static_cast<int>(args.integer("head", 0, 4095)) : -1;
    request.rollout = args.flag("rollout");
    request.schedule = ToMeSchedule::constant(static_cast<int>(args.integer("r", 0, 0, 100000)));
    request.proportionalAttention = !args.flag("no-prop-attn");
    const ModelSource source = modelSourceFromArgs(args);
    request.imageRgb = loadImage(args.value("image")).rgb;
    request.model = buildVit(source);
    const AttentionResult result = runAttention(request);
    writeFileAtomically(QString::fromStdString(out),
                        overlayPng(result, request.rollout ? result.rolloutToPatches : result.classToPatches));
    if (args.has("json"))
        writeFileAtomically(QString::fromStdString(args.value("json")), resultJson(result, request.rollout));
    std::cout << "block " << result.block + 1 << ", " << result.tokens << " tokens" << (result.merged ? " (merged)" : "")
              << "\nwrote " << out << "\n";
    return 0;
}

} // namespace ts::cli
