#pragma once
// Named models for the FLOP lab. Every preset says where its sizes come from; facts we could
// not confirm in the papers are marked as assumptions in `description` (fit_fam_notes.md Sec. 3).
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
