#pragma once
// Analytic FLOP models for every architecture of the FLOP lab, counted the way the app's own
// LibTorch forward passes execute (core/nn/ops.h), so measured and analytic counts can be
// compared part by part. Torch-free and fast (closed forms; no per-token loops).
//
// Parts are the FLOP counter's part names (core/nn/flop_counter.h):
//   patch_embed  the patch embedding (a matmul over flattened patches)
//   qkv, attn_qk, attn_av, attn_proj, mlp   self-attention and MLP of every transformer layer
//                (FIT: local and global layers alike; FAM: block and FAM rows alike)
//   cross_q, cross_kv, cross_qk, cross_av, cross_proj   FIT's read and write cross-attentions
//   tome_match   ToMe's bipartite matching scores (A x B cosine similarities)
//   pitome_energy, atc_distance   PiToMe's and ATC's T x T cosine similarities (core/reduction)
//   head         the classifier (class token) or logits (every token)
// Stages split the same FLOPs by where they happen: "embed", "layers", "local", "read",
// "global", "write", "merge", "fam", "fam_prompt", "head". Elementwise work (softmax 5, LayerNorm 8,
// GELU 8 FLOPs per element, as core/nn/ops.cpp counts) is kept apart and never in `total`.
#include "core/flops/arch_spec.h"
#include "core/flops/flop_convention.h"

#include <map>
#include <string>

namespace ts {

struct FlopBreakdown {
    std::map<std::string, double> parts;       // matmul FLOPs by counter part
    std::map<std::string, double> stages;      // the same FLOPs by stage
    std::map<std::string, double> elementwise; // softmax, layernorm, gelu (counted apart)
    double total = 0;                          // sum of parts

    double part(const std::string& name) const;
    double stage(const std::string& name) const;
    // Attention products (attn_qk, attn_av, cross_qk, cross_av) versus everything else.
    double attention() const;
};

// FLOPs of one forward pass (batch 1) over `length` data tokens (patches for image models; the
// class token, when the model has one, comes on top). Throws ts::Error for an invalid spec or
// length < 1.
FlopBreakdown countFlops(const ArchSpec& spec, long long length, const FlopConvention& convention = {});

// Token counts of a ToMe model for `length` data tokens: entry 0 is the input, entry k the
// count after block k (the lead's tokenCountsAfterMerging on the schedule).
std::vector<int> tomeTokenCounts(const ArchSpec& spec, long long length);

} // namespace ts
