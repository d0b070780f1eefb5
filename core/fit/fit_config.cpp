#include "core/fit/fit_config.h"

#include "core/util/error.h"

namespace ts {

void FitConfig::validate() const
{
    auto fail = [](const std::string& what) { throw Error("FIT: " + what); };
    auto inRange = [&](int value, int lo, int hi, const char* name) {
        if (value < lo || value > hi)
            fail(std::string(name) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got "
                 + std::to_string(value));
    };
    inRange(patchSize, 1, 64, "patch size");
    inRange(dataWidth, 1, 8192, "data width");
    inRange(latentWidth, 1, 8192, "latent width");
    inRange(heads, 1, 128, "heads");
    inRange(latentHeads, 1, 128, "latent heads");
    inRange(mlpRatio, 1, 16, "MLP ratio");
    inRange(groupSize, 1, 256, "group size");
    inRange(latentsPerGroup, 1, 4096, "latents per group");
    if (dataWidth % heads != 0)
        fail("data width " + std::to_string(dataWidth) + " is not a multiple of heads " + std::to_string(heads));
    if (latentWidth % latentHeads != 0)
        fail("latent width " + std::to_string(latentWidth) + " is not a multiple of latent heads "
             + std::to_string(latentHeads));
    if (crossWidth() % crossHeads() != 0)
        fail("cross-attention width " + std::to_string(crossWidth()) + " is not a multiple of its "
             + std::to_string(crossHeads()) + " heads");
    parseLayerPattern(pattern);
}

} // namespace ts
