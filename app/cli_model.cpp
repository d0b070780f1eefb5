#include "app/cli_model.h"

#include "core/io/safetensors.h"

#include <QFileInfo>

#include "core/util/error.h"
#include "ui/figures/figure_recipe.h"

#include <QFile>

// The bundled images live in tokenscope_ui's resources, registered explicitly in a static library.
static void registerBundledImages()
{
    static const bool once = [] {
        Q_INIT_RESOURCE(tokenscope);
        return true;
    }();
    (void)once;
}

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

Normalisation normalisationFromArgs(const Args& args, const NormalisationOptions& names)
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
    triple(names.mean, n.mean, false);
    triple(names.std, n.std, true);
    return n;
}

std::string checkedCheckpointSha256(const Args& args, const std::string& path)
{
    if (path.empty()) {
        if (args.has("checkpoint-sha256"))
            throw Error("--checkpoint-sha256 needs --checkpoint");
        return {};
    }
    // The file is checked as a checkpoint (its header, bounded) before it is hashed: a hostile or
    // mistaken file (a 3 GB sparse file, say) is refused at once instead of read whole.
    if (QFileInfo(QString::fromStdString(path)).isFile())
        readSafetensorsHeader(path);
    const std::string actual = fileSha256(path);
    if (args.has("checkpoint-sha256") && !actual.empty() && actual != args.value("checkpoint-sha256"))
        throw Error("checkpoint '" + path + "' has SHA-256 " + actual + ", the recipe expects " + args.value("checkpoint-sha256")
                    + " (a different file)");
    return actual;
}

ModelSettings modelSettingsFromArgs(const Args& args, int defaultSize, const NormalisationOptions& names)
{
    ModelSettings m;
    m.source = modelSourceFromArgs(args, defaultSize);
    m.normalisation = normalisationFromArgs(args, names);
    m.checkpointSha256 = checkedCheckpointSha256(args, m.source.checkpoint);
    return m;
}

LoadedImage loadInputImage(const std::string& path, const ImageLoadOptions& options)
{
    if (path.rfind(":/", 0) != 0)
        return loadImage(path, options);
    registerBundledImages();
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        throw Error("'" + path + "': no such bundled image");
    return decodeImage(file.readAll().toStdString(), path, options);
}

} // namespace ts::cli
