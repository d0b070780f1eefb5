#pragma once
// Linear layers through weights packed once into column panels, for inputs of few rows.
//
// Why: OpenBLAS repacks the weight matrix on every call. At batch 1 a ViT block sees 200 rows
// or fewer, and fewer still once ToMe has merged tokens (21 for ViT-S/16 at r = 16 by the last
// block), so the repacking, not the arithmetic, sets the time: a 21 x 384 x 1536 product runs at
// about 100 GFLOP/s there against ~390 for a large matmul. The weights of a model do not change
// between forward passes, so they are packed once, into panels of 32 output columns laid out
// k-major ([panel][k][32]), and a register-tiled kernel streams them (360-420 GFLOP/s on the
// same shapes). Above kMaxRows rows the panels are streamed once per block of rows; measured on
// a Zen 5 (`tokenscope bench linear`), that stays ahead of oneDNN's matmul at any row count for
// layers of up to kMaxInAtAnyRows inputs (ViT-S's qkv and fc1: 417 against 351 GFLOP/s at 1576
// rows, 269 against 229 at 16384), while for wider inputs (ViT-B, every fc2 at FIT's 8192-row
// chunks) oneDNN is as fast or faster and takes those products (core/nn/onednn_matmul.h).
// Include only from model .cpp files (torch).
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace ts {

// A weight [out, in] and bias [out] rearranged for packedMatmul. The panels are plain heap
// memory, not torch tensors: they belong to the model's weights, so they are not counted in the
// tensor-memory peaks that runs measure (core/util/memory_tracker.h).
struct PackedWeights {
    static constexpr int kPanelWidth = 32;
    std::int64_t out = 0, in = 0;
    std::vector<float> panels; // [ceil(out / 32)][in][32], columns past `out` zero
    std::vector<float> bias;   // [ceil(out / 32) * 32], zeros where the layer has none
};

// Packs a float weight [out, in] (any strides) and an optional bias [out].
PackedWeights packWeights(const torch::Tensor& weight, const torch::Tensor& bias);

enum class GemmKernel {
    Best,     // the widest vector instructions this processor has
    Portable, // plain C++ vectors, any x86-64 (or other) processor; for tests
};
// The kernel Best selects on this processor ("avx512", "avx2" or "portable").
const char* bestGemmKernelName();

// y [rows, out] = x [rows, in] (row-major, contiguous) * W^T + b, split over LibTorch's
// intra-op threads. Each output is summed over k in order, then the bias is added.
void packedMatmul(const float* x, std::int64_t rows, const PackedWeights& weights, float* y,
                  GemmKernel kernel = GemmKernel::Best);

// A linear layer's packed weights, made on first use and made again when the weight or bias
// tensor is replaced or changed in place (tracked by storage, data pointer, strides and version
// counter; weights made under inference mode have no version counter and are never packed; an
// edit through `.data()`, which bypasses the counter, is not seen). Thread-safe.
//
// Results equal torch's linear to float rounding, not bit for bit (the kernels fuse multiply and
// add where the processor can; the portable one does not), so the same input row can differ in
// its last bits between the rows this path takes and the rows oneDNN or torch takes.
class PackedLinear {
public:
    static constexpr std::int64_t kMaxRows = 400;
    static constexpr std::int64_t kMaxInAtAnyRows = 512;
    // Whether this path takes a product of `rows` rows and `in` inputs.
    static bool takes(std::int64_t rows, std::int64_t in) { return rows <= kMaxRows || in <= kMaxInAtAnyRows; }
    // Whether this path is ahead of oneDNN for a product it takes, on this processor. With
    // AVX-512 it is wherever it takes the product (above). With AVX2 (16 registers of 8 floats, a
    // 3 x 32 tile) it is only for a few rows: on a 2-core AVX2 EPYC (`tokenscope bench linear`)
    // it ran ViT-S/B layers at 68-84 GFLOP/s on 11 rows against oneDNN's 50-77, but at 76-107
    // from 21 rows up against oneDNN's 70-136, so above kMaxRowsAheadNarrow rows oneDNN takes them.
    static constexpr std::int64_t kMaxRowsAheadNarrow = 16;
    static bool aheadOfOneDnn(std::int64_t rows, std::int64_t in);

    // x [..., in] @ weight^T + bias through the packed weights, or an undefined tensor when the
    // packed path does not apply (not float32 on the CPU, rows it does not take, autograd
    // recording, inference-mode weights, or no memory to pack): the caller then uses torch's linear.
    torch::Tensor tryForward(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) const;

    // Bytes held by the packed copy (0 before first use).
    std::int64_t packedBytes() const;

private:
    // What the packed copy was made from. The storages are held (not only their addresses), so
    // a freed weight's memory cannot come back as another tensor that matches the key; strides
    // and offsets tell a matrix from its transpose over the same memory.
    struct Key {
        c10::Storage weightStorage, biasStorage;
        const void* weightData = nullptr;
        const void* biasData = nullptr;
        std::int64_t weightVersion = -1, biasVersion = -1;
        std::int64_t out = 0, in = 0, stride0 = 0, stride1 = 0, biasStride = 0;
        bool operator==(const Key& o) const
        {
            return weightStorage.unsafeGetStorageImpl() == o.weightStorage.unsafeGetStorageImpl()
                && biasStorage.unsafeGetStorageImpl() == o.biasStorage.unsafeGetStorageImpl()
                && weightData == o.weightData && biasData == o.biasData && weightVersion == o.weightVersion
                && biasVersion == o.biasVersion && out == o.out && in == o.in && stride0 == o.stride0
                && stride1 == o.stride1 && biasStride == o.biasStride;
        }
    };
    static Key keyOf(const torch::Tensor& weight, const torch::Tensor& bias);

    mutable std::mutex m_mutex;
    mutable Key m_key;
    mutable std::shared_ptr<const PackedWeights> m_weights;
    mutable bool m_packFailed = false; // out of memory once for this key: do not retry each call
};

} // namespace ts
