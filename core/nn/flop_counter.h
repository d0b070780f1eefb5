#pragma once
// Counts the FLOPs that the app's own forward passes execute. Every matrix product in the
// models goes through core/nn/ops.h, which reports here; the analytic FLOP models are checked
// against these counts. Convention: one multiply-add = 2 FLOPs.
#include <cstdint>
#include <map>
#include <string>

namespace ts {

struct FlopTally {
    // FLOPs of matrix products, by part ("qkv", "attn_qk", "attn_av", "attn_proj", "mlp", ...).
    std::map<std::string, double> matmulByPart;
    // Elementwise work (softmax, normalisation, activations), by kind; counted apart.
    std::map<std::string, double> elementwiseByPart;

    double matmulTotal() const;
    double elementwiseTotal() const;
    void add(const FlopTally& other);
};

// Collects counts from this thread while alive; nests (an inner scope's counts also reach the
// outer one). Counting is off, and free, when no scope is open.
class FlopCountScope {
public:
    FlopCountScope();
    ~FlopCountScope();
    FlopCountScope(const FlopCountScope&) = delete;
    FlopCountScope& operator=(const FlopCountScope&) = delete;

    const FlopTally& tally() const { return m_tally; }

    static bool active();
    static void addMatmul(const char* part, double flops);
    static void addElementwise(const char* part, double flops);

private:
    FlopTally m_tally;
    FlopCountScope* m_outer;
};

} // namespace ts
