#include "core/nn/attention_path.h"

namespace ts {
namespace {
thread_local bool t_standard = false;
}

bool fusedAttentionHandles(std::int64_t valueWidth) { return valueWidth > 0 && valueWidth % 16 == 0; }

StandardAttentionScope::StandardAttentionScope() : m_outer(t_standard) { t_standard = true; }

StandardAttentionScope::~StandardAttentionScope() { t_standard = m_outer; }

bool StandardAttentionScope::active() { return t_standard; }

} // namespace ts
