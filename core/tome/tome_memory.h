#pragma once
// Peak-memory estimate of a ToMe run (runToMe in tome_api.h) made from the model's shape before
// any tensor is allocated, so a batch or input size that cannot fit is refused with numbers
// instead of failing inside LibTorch (or being killed). Torch-free.
#include "core/reduction/reduction_method.h"
#include "core/vit/vit_config.h"

#include <cstdint>

namespace ts {

// Float32 bytes at the peak of one ToMe run over `batch` copies of the image: the input, the
// tokens, the largest block stage (attention logits, biased logits and probabilities over every
// head; or the MLP's hidden activations; or the bipartite similarity matrix) and, when recording,
// every layer's token index of each patch (N integers a layer, whatever the batch). The other
// reduction methods' selection steps: PiToMe's and ATC's N x N similarities (ATC also a double
// distance matrix, image by image), EViT's attention weights kept for the class-token row.
double estimateToMeMemoryBytes(const VitConfig& config, int batch, bool recordSources,
                               ReductionMethod method = ReductionMethod::ToMe);

// Throws ts::Error "ToMe: batch B at N tokens needs ~X GiB, Y GiB available" when the estimate
// exceeds `limitBytes` (<= 0: the memory available now, less headroom).
void requireToMeMemory(const VitConfig& config, int batch, bool recordSources, std::int64_t limitBytes = 0,
                       ReductionMethod method = ReductionMethod::ToMe);

} // namespace ts
