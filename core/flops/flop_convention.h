#pragma once
// How FLOPs are counted. The default is the one convention TokenScope states everywhere:
// forward pass, one multiply-add = 2 FLOPs, attention counted as the dense (masked) products a
// standard kernel executes, so a causal mask costs as much as full attention; counted are the
// Q/K/V and output projections, Q K^T, weights x V, the MLP, FIT's cross-attentions, the patch
// embedding and the head when present. Softmax, LayerNorm and GELU are counted apart
// (elementwise) and never enter the totals. The presets exist because the tools people compare
// with disagree (Kaplan et al. 2020, arXiv 2001.08361, Sec. 2.1 Table 1; Narayanan et al. 2021, arXiv
// 2104.04473, Eq. 3; Hoffmann et al. 2022, arXiv 2203.15556, App. F): fvcore reports multiply-adds as "FLOPs", Kaplan et al.
// count causal attention over half the keys, and training is ~3x forward. Torch-free.
#include <string>
#include <vector>

namespace ts {

struct FlopConvention {
    bool macsAsFlops = false;     // true: report multiply-adds (fvcore), i.e. half of the default
    bool causalHalf = false;       // true: under a causal mask only the unmasked (lower-triangular) pairs count
    bool training = false;        // true: forward + backward = 3 x forward (Kaplan, Megatron)

    // Multiplier applied to every count: 0.5 for MACs, 3 for training.
    double scale() const { return (macsAsFlops ? 0.5 : 1.0) * (training ? 3.0 : 1.0); }
    // "default", "macs", "causal-half", "training", or tokens joined with '+' ("macs+training").
    std::string name() const;
    // One line for axis labels and exports, e.g. "forward, 1 MAC = 2 FLOPs, masked attention counted in full".
    std::string label() const;
    bool operator==(const FlopConvention& o) const
    {
        return macsAsFlops == o.macsAsFlops && causalHalf == o.causalHalf && training == o.training;
    }
};

// Parses a name as produced by name(); throws ts::Error listing the known tokens.
FlopConvention flopConvention(const std::string& name);
// The named presets offered in the UI: default, macs (fvcore), causal-half (Kaplan), training.
std::vector<std::string> flopConventionPresets();

} // namespace ts
