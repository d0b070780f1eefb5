#pragma once
// Large matrix products through oneDNN's matmul primitive (the library PyTorch itself uses on
// CPU; Debian's libdnnl, linked by LibTorch already).
//
// Why: the packed kernel (core/nn/packed_linear.h) covers inputs of up to 400 rows; larger
// products (ViT batches, FIT's groups and latents at 160K tokens) went to OpenBLAS through
// torch. OpenBLAS picks its kernel per processor, and machines that force an older one
// (OPENBLAS_CORETYPE=Haswell, set on some AMD Zen machines) run those products with AVX2 at
// about half the arithmetic speed of an AVX-512 processor. oneDNN dispatches on the instruction
// set itself, whatever OpenBLAS was told: on a Zen 5 it ran 1576 x 768 x 3072 at 2.4x OpenBLAS's
// forced-Haswell speed and 1.9x its default (`tokenscope bench linear` prints the comparison per
// shape on the machine it runs on). Products here are the ones `useOneDnn` accepts; the rest stay
// with the packed kernel or torch.
//
// Threads: oneDNN's runtime is OpenMP, like LibTorch's pool; each call uses LibTorch's intra-op
// thread count (at::get_num_threads), so SerialSection and the app's thread setting apply.
// Rounding differs from OpenBLAS's in the last bits (another blocking of the sums over k); the
// same call on the same machine and thread count gives the same bits.
// Include only from model .cpp files (torch).
#include <torch/torch.h>

namespace ts {

// Whether a product of this size goes to oneDNN: at least kMinMacs multiply-adds per matrix
// (below it, OpenBLAS's and the batched loop's lower call cost wins), float32 on the CPU, no
// autograd recording. TOKENSCOPE_MATMUL=torch in the environment turns oneDNN off (for
// benchmarks comparing the two).
bool oneDnnEnabled();
constexpr double kOneDnnMinMacs = 1 << 21;

// a [..., M, K] @ b [..., K, N] (+ bias [N]) with any strides and broadcasting leading
// dimensions (size 1 against n), at most 4 dimensions. Returns an undefined tensor when the
// operands are not of that kind (the caller uses torch), or when oneDNN refuses the shapes.
torch::Tensor oneDnnMatmul(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& bias = {});

} // namespace ts
