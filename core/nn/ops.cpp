#include "core/nn/ops.h"

#include "core/nn/flop_counter.h"

namespace ts::ops {

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                     const char* part, const PackedLinear* packed)
{
    if (FlopCountScope::active()) {
        const double rows = static_cast<double>(x.numel() / x.size(-1));
        FlopCountScope::addMatmul(part, 2.0 * rows * static_cast<double>(weight.size(1))
                                            * static_cast<double>(weight.size(0)));
    }
    if (packed) {
        torch::Tensor y = packed->tryForward(x, weight, bias);
        if (y.defined())
            return y;
    }
    return torch::nn::functional::linear(x, weight, bias);
}

torch::Tensor linear(const torch::Tensor& x, const torch::nn::Linear& layer, const char* part, const PackedLinear* packed)
{
    return linear(x, layer->weight, layer->bias, part, packed);
}

torch::Tensor matmul(const torch::Tensor& a, const torch::Tensor& b, const char* part)
{
    torch::Tensor out = torch::matmul(a, b);
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
