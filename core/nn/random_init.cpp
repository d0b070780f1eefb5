#include "core/nn/random_init.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <string>

namespace ts {
namespace {

bool endsWith(const std::string& s, const char* tail)
{
    const std::string t(tail);
    return s.size() > t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

} // namespace

void truncatedNormal(torch::Tensor& t, double std, at::Generator& generator)
{
    torch::NoGradGuard noGrad;
    t.normal_(0.0, std, generator);
    t.clamp_(-2.0 * std, 2.0 * std);
}

void initialiseRandomWeights(torch::nn::Module& module, std::uint64_t seed, const RunControl* control)
{
    torch::NoGradGuard noGrad;
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    for (auto& item : module.named_parameters(/*recurse=*/true)) {
        if (control)
            control->throwIfCancelled();
        const std::string& key = item.key();
        torch::Tensor p = item.value();
        const bool isNorm = key.find("norm") != std::string::npos;
        const bool isBias = endsWith(key, ".bias");
        if (isNorm)
            p.fill_(isBias ? 0.0 : 1.0);
        else if (isBias)
            p.zero_();
        else if (key == "cls_token")
            p.normal_(0.0, 1e-6, gen);
        else if (endsWith(key, ".gamma"))
            p.fill_(1e-5);
        else
            truncatedNormal(p, 0.02, gen);
    }
}

} // namespace ts
