#include "core/flops/arch_spec.h"

#include "core/fit/layer_pattern.h"
#include "core/util/error.h"
#include "core/util/printable.h"

#include <cmath>
#include <sstream>

namespace ts {
namespace {

constexpr const char* kKindNames[] = {"transformer", "window", "fit", "tome", "bswa", "fam"};

} // namespace

const char* archKindName(ArchKind kind) { return kKindNames[static_cast<int>(kind)]; }

ArchKind archKindFromName(const std::string& name)
{
    for (int i = 0; i < 6; ++i)
        if (name == kKindNames[i])
            return static_cast<ArchKind>(i);
    throw Error("unknown architecture '" + name + "' (transformer, window, fit, tome, bswa, fam)");
}

int ArchSpec::mlpHidden() const { return static_cast<int>(std::lround(mlpRatio * width)); }
int ArchSpec::latentMlpHidden() const { return static_cast<int>(std::lround(mlpRatio * latentWidth)); }

void ArchSpec::validate() const
{
    // Kept whole: one check per field, in the order the fields are declared, then the checks of
    // the architecture's own fields; split, the list would read in pieces.
    auto fail = [this](const std::string& field, const std::string& what) {
        throw Error((name.empty() ? std::string("model") : name) + ": " + field + " " + what);
    };
    auto atLeast = [&](long long value, long long lo, const char* field, long long hi = 1LL << 24) {
        if (value < lo || value > hi)
            fail(field, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got "
                            + std::to_string(value));
    };
    atLeast(depth, 1, "depth", 4096);
    atLeast(width, 1, "width", 1 << 20);
    atLeast(heads, 1, "heads", 4096);
    if (width % heads != 0)
        fail("heads", std::to_string(heads) + " does not divide width " + std::to_string(width));
    if (!std::isfinite(mlpRatio) || mlpRatio < 0 || mlpRatio > 64)
        fail("mlp_ratio", "must be between 0 and 64, got " + numberText(mlpRatio));
    atLeast(patchSize, 0, "patch_size", 1024);
    atLeast(inChannels, 1, "in_channels", 1024);
    atLeast(extraTokens, 0, "extra_tokens", 1 << 20);
    if (extraTokens > 0 && kind != ArchKind::Transformer && kind != ArchKind::Window && kind != ArchKind::ToMe)
        fail("extra_tokens", "is supported by transformer, window and tome models only (set it to 0)");
    if (extraTokens > 0 && !classToken)
        fail("extra_tokens", "needs a class token before them (class_token true)");
    if (distillationHead && (!classToken || extraTokens < 1 || headOutputs < 1 || headOnAllTokens))
        fail("distillation_head", "needs a class token, a second prefix token (extra_tokens >= 1) and a class-token head");
    atLeast(headOutputs, 0, "head_outputs", 1 << 24);
    switch (kind) {
    case ArchKind::Transformer: break;
    case ArchKind::Window: atLeast(window, 1, "window", 1 << 30); break;
    case ArchKind::Fit: {
        atLeast(groupSize, 1, "group_size", 1 << 30);
        atLeast(latentsPerGroup, 1, "latents_per_group", 1 << 20);
        atLeast(latentWidth, 1, "latent_width", 1 << 20);
        atLeast(latentHeads, 1, "latent_heads", 4096);
        if (latentWidth % latentHeads != 0)
            fail("latent_heads", std::to_string(latentHeads) + " does not divide latent_width " + std::to_string(latentWidth));
        if (crossWidth() % crossHeads() != 0)
            fail("latent_heads", "cross-attention width " + std::to_string(crossWidth()) + " is not a multiple of its "
                                     + std::to_string(crossHeads()) + " heads");
        LayerPattern p;
        try {
            p = parseLayerPattern(pattern);
        } catch (const Error& e) {
            fail("pattern", std::string("is malformed: ") + e.what());
        }
        if (p.transformerLayers() != depth)
            fail("depth", std::to_string(depth) + " differs from the " + std::to_string(p.transformerLayers())
                              + " layers of pattern '" + pattern + "'");
        if (classToken)
            fail("class_token", "is not supported by FIT (set it to false)");
        break;
    }
    case ArchKind::ToMe:
        try {
            schedule.validate(depth);
        } catch (const Error& e) {
            fail("r", std::string("(schedule) is invalid: ") + e.what());
        }
        if (causal)
            fail("causal", "is not supported by ToMe (bipartite matching ignores order)");
        break;
    case ArchKind::Bswa:
    case ArchKind::Fam:
        atLeast(block, 1, "block", 1 << 30);
        atLeast(memory, 0, "memory", 1 << 20);
        if (kind == ArchKind::Fam)
            atLeast(famLength, 1, "fam_length", 1 << 20);
        if (classToken)
            fail("class_token", "is not supported by BSWA/FAM streams (set it to false)");
        break;
    }
}

std::string ArchSpec::summary() const
{
    std::ostringstream s;
    s << archKindName(kind) << ": " << depth << " layers, width " << width << ", " << heads << " heads, MLP x" << mlpRatio;
    s << (causal ? ", causal" : ", bidirectional");
    if (patchSize > 0)
        s << ", patch " << patchSize;
    if (classToken)
        s << ", class token";
    if (extraTokens > 0)
        s << ", " << extraTokens << " more prefix token" << (extraTokens > 1 ? "s" : "");
    if (distillationHead)
        s << ", distillation head";
    if (headOutputs > 0)
        s << ", head " << headOutputs << (headOnAllTokens ? " (every token)" : " (class token)");
    switch (kind) {
    case ArchKind::Transformer: break;
    case ArchKind::Window: s << ", window " << window; break;
    case ArchKind::Fit:
        s << ", group " << groupSize << ", " << latentsPerGroup << " latents/group, latent width " << latentWidth << ", "
          << latentHeads << " latent heads, pattern " << pattern;
        break;
    case ArchKind::ToMe: s << ", ToMe " << schedule.describe(); break;
    case ArchKind::Bswa: s << ", block " << block << ", memory " << memory; break;
    case ArchKind::Fam: s << ", block " << block << ", memory " << memory << ", FAM " << famLength; break;
    }
    return s.str();
}

long long tokensFor(const ArchSpec& spec, long long length) { return length + spec.prefixTokens(); }

} // namespace ts
