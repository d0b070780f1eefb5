#pragma once
// A model as the FLOP lab sees it: the transformer's sizes plus each architecture's own sizes.
// One struct for every architecture so a preset can be edited into a custom model and written
// back to a config file (README "FLOP config files"). Torch-free.
#include "core/reduction/reduction_method.h"
#include "core/tome/tome_schedule.h"

#include <string>
#include <vector>

namespace ts {

enum class ArchKind {
    Transformer, // full attention over every token (bidirectional or causal)
    Window,      // attention inside non-overlapping windows of `window` tokens (group attention)
    Fit,         // FIT: local layers on groups, global layers on latents, read/write cross-attention
    ToMe,        // ViT with Token Merging between attention and MLP (token counts from the schedule)
    Bswa,        // block sliding window attention: block B, M memory blocks (FAM paper Sec. 2.1)
    Fam          // TransformerFAM: BSWA plus F feedback-memory tokens per layer (Sec. 2.2)
};
const char* archKindName(ArchKind kind); // "transformer", "window", "fit", "tome", "bswa", "fam"
ArchKind archKindFromName(const std::string& name); // throws ts::Error listing the names

struct ArchSpec {
    std::string name = "custom"; // series name
    std::string description;     // where the sizes come from, and what is uncertain
    ArchKind kind = ArchKind::Transformer;

    // The transformer (for FIT: the data tokens and local layers).
    int depth = 12;             // transformer layers (FIT: local + global layers, from `pattern`)
    int width = 768;
    int heads = 12;
    double mlpRatio = 4.0;      // MLP hidden width = round(mlpRatio x width)
    bool causal = false;        // causal attention (decoders, FIT-AR, FAM streams)
    int patchSize = 16;         // > 0: inputs are patches of patchSize^2 x inChannels; 0: token input
    int inChannels = 3;
    bool classToken = true;     // one extra token besides the `length` data tokens
    // Prefix tokens after the class token (timm's order): a distillation token (DeiT distilled)
    // and registers (Darcet et al. 2024). They attend and are attended like the class token and
    // are never merged; Transformer, Window and ToMe kinds only.
    int extraTokens = 0;
    bool distillationHead = false; // a second head reads the token after the class token (DeiT)
    int headOutputs = 1000;     // 0: no head
    bool headOnAllTokens = false; // false: the head reads the class token (ViT); true: every token (LM logits)

    int window = 256;           // Window: tokens per window

    int groupSize = 64;         // Fit: data tokens per group n (the image model's g x g window: n = g^2)
    int latentsPerGroup = 4;    // Fit: m
    int latentWidth = 768;      // Fit: d
    int latentHeads = 12;       // Fit
    std::string pattern = "L(6)G(2)L(6)G(2)"; // Fit: core/fit/layer_pattern.h notation

    ToMeSchedule schedule = ToMeSchedule::constant(8); // ToMe
    // ToMe kind: which method reduces the tokens (the schedule is then its r per block; token
    // counts and the selection step's products follow the method, core/reduction).
    ReductionMethod reduction = ReductionMethod::ToMe;

    int block = 1024;           // Bswa / Fam: tokens per block B
    int memory = 3;             // Bswa / Fam: memory blocks M
    int famLength = 64;         // Fam: F

    int mlpHidden() const;
    int latentMlpHidden() const; // FIT global layers: round(mlpRatio x latentWidth)
    int prefixTokens() const { return (classToken ? 1 : 0) + extraTokens; }
    int crossWidth() const { return width < latentWidth ? width : latentWidth; } // pix2seq: min(c, d)
    int crossHeads() const { return heads < latentHeads ? heads : latentHeads; }

    // Throws ts::Error "<name>: <field> ..." naming the bad field (config file key names).
    void validate() const;
    // Parameters in one line for the UI, e.g. "12 layers, width 768, 12 heads, MLP x4, patch 16".
    std::string summary() const;
};

// Number of tokens the transformer sees for `length` data tokens (prefix tokens included).
long long tokensFor(const ArchSpec& spec, long long length);

} // namespace ts
