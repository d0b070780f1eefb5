#pragma once
// Named models for the FLOP lab. Every preset says where its sizes come from; facts we could
// not confirm in the papers are marked as assumptions in `description` (FIT: Chen & Li 2023, arXiv 2305.12689,
// Figs. 3/4 and App. C; TransformerFAM: Hwang et al. 2024, arXiv 2404.09173, Sec. 3.1 and Table 4).
// Torch-free.
#include "core/flops/arch_spec.h"

#include <string>
#include <vector>

namespace ts {

const std::vector<ArchSpec>& flopPresets();
// Case-insensitive lookup; throws ts::Error listing the preset names.
ArchSpec flopPreset(const std::string& name);
std::vector<std::string> flopPresetNames();

} // namespace ts
