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

} // namespace ts::cli
