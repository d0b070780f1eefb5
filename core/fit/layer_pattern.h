#pragma once
// FIT layer patterns: how many local and global transformer layers each FIT block has.
// Torch-free. Three spellings are accepted (and may be mixed):
//   L(8)G(2)L(8)G(2)   the seed notation, counts in brackets after L (local) and G (global)
//   L8G2L8G2           the compact form
//   (8)2(8)2           the official code's form (pix2seq get_layer_config): local count in
//                      brackets, then the global count; a trailing ")" means 0 global layers
// Whitespace is ignored. As in get_layer_config, only the last block may have no global layers
// (a local-only block in the middle would just be more local layers of the next block).
#include <string>
#include <vector>

namespace ts {

struct FitBlockSpec {
    int local = 0;  // transformer layers on each group's data tokens
    int global = 0; // transformer layers on all latents (0: no read, global or write)
};

// One step of the forward pass, in execution order.
enum class FitLayerKind { Local, Read, Global, Write };
const char* fitLayerKindName(FitLayerKind kind); // "local", "read", "global", "write"

struct LayerPattern {
    std::vector<FitBlockSpec> blocks;

    int localLayers() const;
    int globalLayers() const;
    int transformerLayers() const { return localLayers() + globalLayers(); }
    // Whether block `i` ends with data tokens reading back their latents. The official FIT code
    // skips this after the last block (its result would not reach any output that matters).
    bool hasWrite(int block) const;
    // Every step in execution order: local layers, read, global layers, write (when present).
    std::vector<FitLayerKind> steps() const;
    // Canonical seed notation, e.g. "L(8)G(2)L(8)G(2)".
    std::string text() const;
};

// Parses a pattern; throws ts::Error "pattern 'X': column C: ..." pointing at the bad character
// (1-based column).
LayerPattern parseLayerPattern(const std::string& text);

} // namespace ts
