#include "app/cli_model.h"

#include "core/util/error.h"

namespace ts::cli {

ModelSource modelSourceFromArgs(const Args& args, int defaultSize)
{
    ModelSource source;
    if (args.has("preset") && args.has("checkpoint"))
        throw Error("give either --preset or --checkpoint, not both");
    source.preset = args.value("preset", "vit-s16");
    vitPreset(source.preset); // validates the name
    source.checkpoint = args.value("checkpoint", "");
    source.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 0, 1LL << 40));
    source.imageSize = static_cast<int>(args.integer("size", defaultSize, 16, 8192));
    return source;
}

Normalisation normalisationFromArgs(const Args& args)
{
    Normalisation n;
    auto triple = [&args](const std::string& name, float* out, bool positive) {
        if (!args.has(name))
            return;
        const std::string text = args.value(name);
        std::vector<double> values;
        std::size_t start = 0;
        while (start <= text.size()) {
            const std::size_t comma = text.find(',', start);
            values.push_back(parseNumber(text.substr(start, comma - start), "--" + name));
            if (comma == std::string::npos)
                break;
            start = comma + 1;
        }
        if (values.size() != 3)
            throw Error("--" + name + " needs three comma-separated numbers (R,G,B)");
        for (int c = 0; c < 3; ++c) {
            if (positive && !(values[static_cast<std::size_t>(c)] > 0))
                throw Error("--" + name + " values must be positive");
            out[c] = static_cast<float>(values[static_cast<std::size_t>(c)]);
        }
    };
    triple("mean", n.mean, false);
    triple("std", n.std, true);
    return n;
}

} // namespace ts::cli
