#pragma once
// TransformerFAM (Hwang et al. 2024, Sec. 2.2, Algorithm 2) run with a ViT's own blocks, one block
// of tokens at a time. Per layer it keeps only the keys and values of the last s blocks (memory
// segments) and the current FAM, so memory stays flat in the sequence length. Torch: include only
// from core .cpp files and core tests; the GUI and the command line use core/fam/fam_api.h.
//
// Per layer l and block t (input X_t, previous FAM F_(t-1) of this layer):
//   queries [X_t ; F_(t-1)] go through norm1 + qkv in one call (the FAM query is the FAM copy),
//   keys/values [K,V of blocks t-s..t-1 | F_(t-1) | X_t], one attention call with a bias that
//     hides the memory segments from the FAM queries and, when causal, later tokens of the block;
//   both then take the block's residual, attn.proj and MLP (the same FF, App. C.1):
//     X_t -> layer l+1, F_t -> block t+1 of this layer.
// No weights are added but the FAM prompt: each layer's first FAM is the prompt's activation at
// that layer (the prompt attends only to itself, App. B.1). Unlike B.1, the first update keeps the
// prompt as its residual (no zero residual), so one mask describes every block alike.
//
// Several blocks at once (stepBlocks), layer by layer: only the FAM carries a block's result to
// the next block of the same layer, so a block's own rows need nothing of the blocks before it
// but their keys and values (the memory) and the previous FAM's keys and values. Per layer, the
// norm1 + qkv of every block's own rows is one product; then block by block the FAM rows alone
// (f rows: norm1 + qkv, the attention of all the block's queries, then attn.proj and the MLP for
// the f FAM rows, which make the next block's FAM); then attn.proj and the MLP of every block's
// own rows as one product. With AVX-512 each row takes the same arithmetic as one block at a time
// (the packed kernel and the norms work row by row); with AVX2 the batched rows go to oneDNN
// (core/nn/packed_linear.h), equal to float rounding. A layer's weights are streamed once per few
// blocks instead of once per block of 64 rows, and the thread pool wakes once per product: at
// block 64 on ViT-S, six blocks make 384-row products, and 64 of each block's 72 rows (block plus
// FAM) go through those.
#include "core/vit/vit_model.h"

#include <deque>
#include <vector>

namespace ts {

struct FamSettings {
    int block = 64;       // b: tokens per block, also the stride
    int memory = 1;       // s: previous blocks kept as memory segments
    int fam = 8;          // f: FAM length (ignored without FAM)
    bool withFam = true;  // false: plain BSWA (Algorithm 1)
    bool causal = true;   // causal inside the current block (the paper); false: bidirectional
};

// Captures, for one block and layer, the attention weights of every query, rows [block tokens |
// FAM queries], over the keys [memory | previous FAM | block].
struct FamProbe {
    std::int64_t block = -1;
    int layer = -1;
    torch::Tensor probs;     // [H, n + f, keys]
    std::int64_t memoryKeys = 0;
    std::int64_t blockTokens = 0;
    bool captured = false;
};

class FamStreamer {
public:
    // blocks: the ViT's transformer blocks (weights shared, not copied); prompt: [1, f, D].
    FamStreamer(std::vector<Block> blocks, const FamSettings& settings, const torch::Tensor& prompt = {});

    // Runs the next block of tokens [1, n, D] (n <= b; only the last block may be shorter)
    // through every layer; returns the top layer's output [1, n, D].
    torch::Tensor step(const torch::Tensor& tokens, FamProbe* probe = nullptr);
    // The next blocks, in order, each as `step` takes it (only the last may be shorter); returns
    // their top-layer outputs, equal (to float rounding) to stepping them one at a time.
    std::vector<torch::Tensor> stepBlocks(const std::vector<torch::Tensor>& blocks, FamProbe* probe = nullptr);
    // How many blocks of `block` tokens stepBlocks is best given at once: as many as keep a
    // product's rows within the packed kernel's (core/nn/packed_linear.h), at least one.
    static int blocksPerStep(int block);

    std::int64_t blocksDone() const { return m_blocksDone; }
    // This layer's current FAM [1, f, D] (F_(t-1) for the next block t).
    const torch::Tensor& fam(int layer) const { return m_layers[static_cast<std::size_t>(layer)].fam; }
    int depth() const { return static_cast<int>(m_blocks.size()); }

private:
    struct LayerState {
        std::deque<torch::Tensor> keys, values; // [1, H, b, hd] per memory block, oldest first
        torch::Tensor fam;                      // [1, f, D]
    };
    std::vector<torch::Tensor> layerStep(int layer, const std::vector<torch::Tensor>& xs, FamProbe* probe);
    const torch::Tensor& bias(std::int64_t n, std::int64_t memoryKeys);

    std::vector<Block> m_blocks;
    FamSettings m_settings;
    std::vector<LayerState> m_layers;
    std::int64_t m_blocksDone = 0;
    torch::Tensor m_bias;
    std::int64_t m_biasN = -1, m_biasMemory = -1;
};

// The learned FAM prompt, initialised like timm's position embedding (truncated normal, std
// 0.02) from a seed: [1, f, D].
torch::Tensor famPromptTokens(int fam, int width, std::uint64_t seed);
// Block `index` of a synthetic token stream: [1, n, D] standard normal, the same whatever else
// is generated, so a stream can be replayed block by block or all at once.
torch::Tensor syntheticBlock(std::int64_t index, int n, int width, std::uint64_t seed);

} // namespace ts
