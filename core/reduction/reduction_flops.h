#pragma once
// The analytic FLOPs (core/flops/flop_model.h) of a ViT run with a token-reduction method, from
// the model's configuration and the tokens removed per block: what the run's measured count
// (core/nn/flop_counter.h) must equal. Torch-free.
#include "core/flops/arch_spec.h"
#include "core/flops/flop_model.h"
#include "core/vit/vit_config.h"

#include <optional>
#include <vector>

namespace ts {

// The FLOP lab's description of the ViT (kind ToMe with `method` and the r list), or nothing when
// the analytic model does not describe it (a head on the class token and the patch average
// together). Every prefix token (class, distillation, registers) is counted and never reduced; a
// distillation head is a second head product.
std::optional<ArchSpec> reducedVitSpec(const VitConfig& config, ReductionMethod method, const std::vector<int>& perLayer);

// countFlops of that spec over the model's patches (batch 1); an empty breakdown when there is none.
FlopBreakdown reducedFlops(const VitConfig& config, ReductionMethod method, const std::vector<int>& perLayer);

} // namespace ts
