#include "ui/figures/tome_result_json.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

namespace ts {
namespace {

QJsonArray intArray(const std::vector<int>& v)
{
    QJsonArray a;
    for (int x : v)
        a.append(x);
    return a;
}

} // namespace

QByteArray toMeResultJson(const ToMeResult& result)
{
    QJsonObject o;
    QJsonArray tokens, source, sizes;
    for (std::size_t k = 1; k < result.tokens.size(); ++k) {
        tokens.append(result.tokens[k]);
        source.append(intArray(result.tokenOfPatch[k]));
        sizes.append(intArray(result.sizes[k]));
    }
    o["tokens_per_layer"] = tokens;
    o["source"] = source;
    o["sizes"] = sizes;
    o["r_per_layer"] = intArray(result.rApplied);
    o["weights"] = QString::fromStdString(result.weights);
    o["model"] = QJsonObject{{"preset", QString::fromStdString(result.config.name)},
                             {"depth", result.config.depth},
                             {"width", result.config.width},
                             {"heads", result.config.heads},
                             {"patch", result.config.patchSize},
                             {"image_size", result.config.imageSize},
                             {"family", QString::fromStdString(result.config.family)},
                             {"format", QString::fromStdString(result.config.format)},
                             {"prefix_tokens", result.config.prefixTokens()},
                             {"registers", result.config.registers},
                             {"classes", result.config.numClasses}};
    QJsonArray output; // logits, or the pooled pre-logits feature of a model without a head
    for (float v : result.output)
        output.append(static_cast<double>(v));
    o["output"] = output;
    o["method"] = QString::fromUtf8(reductionMethodName(result.method));
    o["schedule"] = QString::fromStdString(result.scheduleText);
    o["proportional_attention"] = result.proportionalAttention;
    o["seconds_merged"] = result.secondsMerged;
    if (result.secondsPlain > 0)
        o["seconds_plain"] = result.secondsPlain;
    o["flops_merged"] = result.flopsMerged.matmulTotal();
    if (result.flopsAnalytic > 0)
        o["flops_analytic"] = result.flopsAnalytic;
    if (result.flopsPlain.matmulTotal() > 0)
        o["flops_plain"] = result.flopsPlain.matmulTotal();
    if (!result.top5.empty()) {
        QJsonArray top;
        for (const auto& c : result.top5)
            top.append(QJsonObject{{"index", c.index}, {"name", QString::fromStdString(c.name)}, {"probability", c.probability}});
        o["top5"] = top;
    }
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace ts
