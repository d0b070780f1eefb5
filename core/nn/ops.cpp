#include "core/nn/ops.h"

#include "core/nn/flop_counter.h"
#include "core/nn/onednn_matmul.h"

#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>

#include <algorithm>
#include <vector>

namespace ts::ops {

LinearPath linearPath(std::int64_t rows, std::int64_t in, std::int64_t out)
{
    const bool oneDnnSize = in > 0 && double(rows) * double(in) * double(out) >= kOneDnnMinMacs && oneDnnEnabled();
    if (PackedLinear::takes(rows, in) && (!oneDnnSize || PackedLinear::aheadOfOneDnn(rows, in)))
        return LinearPath::Packed;
    return oneDnnSize ? LinearPath::OneDnn : LinearPath::Torch;
}

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                     const char* part, const PackedLinear* packed)
{
    if (FlopCountScope::active() && x.size(-1) > 0) {
        const double rows = static_cast<double>(x.numel() / x.size(-1));
        FlopCountScope::addMatmul(part, 2.0 * rows * static_cast<double>(weight.size(1))
                                            * static_cast<double>(weight.size(0)));
    }
    const std::int64_t in = weight.size(1), out = weight.size(0);
    const std::int64_t rows = in > 0 ? x.numel() / in : 0;
    if (packed && linearPath(rows, in, out) == LinearPath::Packed) {
        torch::Tensor y = packed->tryForward(x, weight, bias);
        if (y.defined())
            return y;
    }
    // Else (or where the packed path refused the tensors) oneDNN, which keeps this processor's widest
    // instructions whatever OpenBLAS's kernel is (core/nn/onednn_matmul.h).
    if (x.dim() >= 2 && double(rows) * double(in) * double(out) >= kOneDnnMinMacs) {
        torch::Tensor y = oneDnnMatmul(x.reshape({-1, in}), weight.t(), bias);
        if (y.defined()) {
            std::vector<std::int64_t> shape(x.sizes().begin(), x.sizes().end());
            shape.back() = out;
            return y.view(shape);
        }
    }
    return torch::nn::functional::linear(x, weight, bias);
}

torch::Tensor linear(const torch::Tensor& x, const torch::nn::Linear& layer, const char* part, const PackedLinear* packed)
{
    return linear(x, layer->weight, layer->bias, part, packed);
}

namespace {

// Batched products (attention's q k^T and weights v, one small matrix per image and head) with
// the batch split over LibTorch's threads. ATen's CPU bmm walks the batch on one thread and
// OpenBLAS keeps products this small on one thread too, so attention used one core of two.
// Each slice goes to BLAS as a view, the call bmm makes for it when torch::matmul does not
// first copy the operands (it copies views it cannot fold into three dimensions, which changes
// only the last bits). Products under 400 multiply-adds, which bmm computes in its own loop,
// stay with torch::matmul.
// Leading dimensions may broadcast (size 1 against n). Returns an undefined tensor when the
// shapes are not of that kind.
torch::Tensor parallelBatchedMatmul(const torch::Tensor& a, const torch::Tensor& b)
{
    if (a.dim() != b.dim() || (a.dim() != 3 && a.dim() != 4) || !a.device().is_cpu() || !b.device().is_cpu()
        || a.scalar_type() != torch::kFloat || b.scalar_type() != torch::kFloat || a.size(-1) != b.size(-2)
        || (torch::GradMode::is_enabled() && (a.requires_grad() || b.requires_grad())))
        return {};
    const std::int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
    if (m * k * n < 400 || a.numel() == 0 || b.numel() == 0)
        return {};
    const int batchDims = static_cast<int>(a.dim()) - 2;
    std::vector<std::int64_t> shape;
    std::int64_t batch = 1;
    for (int d = 0; d < batchDims; ++d) {
        const std::int64_t sa = a.size(d), sb = b.size(d);
        if (sa != sb && sa != 1 && sb != 1)
            return {};
        shape.push_back(std::max(sa, sb));
        batch *= shape.back();
    }
    // Below about half a million multiply-adds in all, waking the second thread costs more
    // than it saves (measured on ViT-S heads: 21 tokens slower, 37 faster).
    if (batch < 2 || at::get_num_threads() < 2 || batch * m * k * n < (1 << 19))
        return {};
    shape.push_back(m);
    shape.push_back(n);
    torch::Tensor out = torch::empty(shape, a.options());
    const std::int64_t inner = batchDims == 2 ? shape[1] : 1;
    // Inference and grad modes are thread-local: the pool's threads take the caller's.
    const at::ThreadLocalState callerState;
    at::parallel_for(0, batch, 1, [&](std::int64_t begin, std::int64_t end) {
        const at::ThreadLocalStateGuard stateGuard(callerState);
        for (std::int64_t t = begin; t < end; ++t) {
            const std::int64_t i0 = t / inner, i1 = t % inner;
            torch::Tensor sa = a.select(0, a.size(0) == 1 ? 0 : i0);
            torch::Tensor sb = b.select(0, b.size(0) == 1 ? 0 : i0);
            torch::Tensor so = out.select(0, i0);
            if (batchDims == 2) {
                sa = sa.select(0, sa.size(0) == 1 ? 0 : i1);
                sb = sb.select(0, sb.size(0) == 1 ? 0 : i1);
                so = so.select(0, i1);
            }
            at::mm_out(so, sa, sb);
        }
    });
    return out;
}

} // namespace

torch::Tensor matmul(const torch::Tensor& a, const torch::Tensor& b, const char* part)
{
    torch::Tensor out = oneDnnMatmul(a, b);
    if (!out.defined())
        out = parallelBatchedMatmul(a, b);
    if (!out.defined())
        out = torch::matmul(a, b);
    if (FlopCountScope::active()) {
        const double k = static_cast<double>(a.size(-1));
        FlopCountScope::addMatmul(part, 2.0 * static_cast<double>(out.numel()) * k);
    }
    return out;
}

torch::Tensor softmax(const torch::Tensor& x)
{
    FlopCountScope::addElementwise("softmax", 5.0 * static_cast<double>(x.numel()));
    return torch::softmax(x, /*dim=*/-1);
}

torch::Tensor layerNorm(const torch::Tensor& x, const torch::nn::LayerNorm& norm)
{
    FlopCountScope::addElementwise("layernorm", 8.0 * static_cast<double>(x.numel()));
    const auto& options = norm->options;
    return torch::layer_norm(x, options.normalized_shape(), norm->weight, norm->bias, options.eps());
}

torch::Tensor gelu(const torch::Tensor& x)
{
    FlopCountScope::addElementwise("gelu", 8.0 * static_cast<double>(x.numel()));
    return torch::gelu(x);
}

} // namespace ts::ops
