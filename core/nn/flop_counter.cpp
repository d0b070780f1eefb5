#include "core/nn/flop_counter.h"

namespace ts {
namespace {
thread_local FlopCountScope* t_innermost = nullptr;
}

double FlopTally::matmulTotal() const
{
    double sum = 0;
    for (const auto& [part, flops] : matmulByPart)
        sum += flops;
    return sum;
}

double FlopTally::elementwiseTotal() const
{
    double sum = 0;
    for (const auto& [part, flops] : elementwiseByPart)
        sum += flops;
    return sum;
}

void FlopTally::add(const FlopTally& other)
{
    for (const auto& [part, flops] : other.matmulByPart)
        matmulByPart[part] += flops;
    for (const auto& [part, flops] : other.elementwiseByPart)
        elementwiseByPart[part] += flops;
}

FlopCountScope::FlopCountScope() : m_outer(t_innermost) { t_innermost = this; }

FlopCountScope::~FlopCountScope()
{
    t_innermost = m_outer;
    if (m_outer)
        m_outer->m_tally.add(m_tally);
}

bool FlopCountScope::active() { return t_innermost != nullptr; }

void FlopCountScope::addMatmul(const char* part, double flops)
{
    if (t_innermost)
        t_innermost->m_tally.matmulByPart[part] += flops;
}

void FlopCountScope::addElementwise(const char* part, double flops)
{
    if (t_innermost)
        t_innermost->m_tally.elementwiseByPart[part] += flops;
}

} // namespace ts
