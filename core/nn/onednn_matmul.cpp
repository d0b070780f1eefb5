#include "core/nn/onednn_matmul.h"

#include <ATen/Parallel.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

namespace ts {
namespace {

const dnnl::engine& cpuEngine()
{
    static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

dnnl::memory::dims dimsOf(const torch::Tensor& t)
{
    return dnnl::memory::dims(t.sizes().begin(), t.sizes().end());
}

// A broadcast dimension (torch's expand gives it stride 0) is described to oneDNN as size 1.
dnnl::memory::desc descOf(const torch::Tensor& t, const dnnl::memory::dims& dims)
{
    dnnl::memory::dims strides(t.strides().begin(), t.strides().end());
    for (std::size_t d = 0; d < dims.size(); ++d)
        if (dims[d] == 1)
            strides[d] = d + 1 < dims.size() ? strides[d + 1] * dims[d + 1] : 1;
    return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

bool applicable(const torch::Tensor& a, const torch::Tensor& b)
{
    if (!oneDnnEnabled() || a.dim() < 2 || a.dim() > 4 || a.dim() != b.dim() || !a.device().is_cpu() || !b.device().is_cpu()
        || a.scalar_type() != torch::kFloat || b.scalar_type() != torch::kFloat || a.size(-1) != b.size(-2)
        || a.numel() == 0 || b.numel() == 0)
        return false;
    if (torch::GradMode::is_enabled() && (a.requires_grad() || b.requires_grad()))
        return false;
    for (std::int64_t d = 0; d + 2 < a.dim(); ++d)
        if (a.size(d) != b.size(d) && a.size(d) != 1 && b.size(d) != 1)
            return false;
    const double macs = double(a.size(-2)) * double(a.size(-1)) * double(b.size(-1));
    return macs >= kOneDnnMinMacs;
}

} // namespace

bool oneDnnEnabled()
{
    static const bool enabled = [] {
        const char* v = std::getenv("TOKENSCOPE_MATMUL");
        return !(v && std::strcmp(v, "torch") == 0);
    }();
    return enabled;
}

torch::Tensor oneDnnMatmul(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& bias)
{
    if (!applicable(a, b) || (bias.defined() && (bias.scalar_type() != torch::kFloat || bias.numel() != b.size(-1))))
        return {};
    // Inner rows must be unit-stride in one of the two directions for oneDNN's kernels to apply;
    // anything else is copied once (cheap against a product of this size).
    auto unitInner = [](const torch::Tensor& t) { return t.stride(-1) == 1 || t.stride(-2) == 1; };
    const torch::Tensor lhs = unitInner(a) ? a : a.contiguous();
    const torch::Tensor rhs = unitInner(b) ? b : b.contiguous();
    const dnnl::memory::dims aDims = dimsOf(lhs), bDims = dimsOf(rhs);
    dnnl::memory::dims outDims = aDims;
    for (std::size_t d = 0; d + 2 < aDims.size(); ++d)
        outDims[d] = std::max(aDims[d], bDims[d]);
    outDims.back() = bDims.back();
    torch::Tensor out = torch::empty(std::vector<std::int64_t>(outDims.begin(), outDims.end()), a.options());
    try {
        const dnnl::memory::desc aDesc = descOf(lhs, aDims), bDesc = descOf(rhs, bDims);
        const dnnl::memory::desc outDesc = descOf(out, outDims);
        dnnl::memory::desc biasDesc;
        torch::Tensor biasRow;
        if (bias.defined()) {
            biasRow = bias.contiguous();
            dnnl::memory::dims biasDims(outDims.size(), 1), strides(outDims.size(), outDims.back());
            biasDims.back() = outDims.back();
            strides.back() = 1;
            biasDesc = dnnl::memory::desc(biasDims, dnnl::memory::data_type::f32, strides);
        }
        const dnnl::engine& engine = cpuEngine();
        const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aDesc, bDesc, biasDesc, outDesc), engine);
        const dnnl::matmul primitive(pd);
        std::unordered_map<int, dnnl::memory> args{
            {DNNL_ARG_SRC, dnnl::memory(aDesc, engine, lhs.data_ptr<float>())},
            {DNNL_ARG_WEIGHTS, dnnl::memory(bDesc, engine, rhs.data_ptr<float>())},
            {DNNL_ARG_DST, dnnl::memory(outDesc, engine, out.data_ptr<float>())}};
        if (bias.defined())
            args.emplace(DNNL_ARG_BIAS, dnnl::memory(biasDesc, engine, biasRow.data_ptr<float>()));
        omp_set_num_threads(at::get_num_threads());
        dnnl::stream stream(engine);
        primitive.execute(stream, args);
        stream.wait();
    } catch (const dnnl::error&) {
        return {};
    }
    return out;
}

} // namespace ts
