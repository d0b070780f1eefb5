#include "core/flops/flop_presets.h"

#include "core/util/error.h"
#include "core/vit/vit_config.h"

#include <algorithm>
#include <cctype>

namespace ts {
namespace {

ArchSpec vit(const VitConfig& c)
{
    ArchSpec s;
    s.name = c.name;
    s.kind = ArchKind::Transformer;
    s.depth = c.depth;
    s.width = c.width;
    s.heads = c.heads;
    s.mlpRatio = double(c.mlpHidden) / c.width;
    s.patchSize = c.patchSize;
    s.classToken = true;
    s.headOutputs = c.numClasses;
    s.description = vitDisplayName(c) + " (timm sizes); length = patches, plus the class token";
    return s;
}

// A decoder of the GPT-3 family (Brown et al. 2020, Table 2.1): token input, causal, no
// embedding or logits counted (the FIT paper's vocabulary and head convention are not known).
ArchSpec decoder(const char* name, int depth, int width, int heads, const std::string& note)
{
    ArchSpec s;
    s.name = name;
    s.kind = ArchKind::Transformer;
    s.depth = depth;
    s.width = width;
    s.heads = heads;
    s.causal = true;
    s.patchSize = 0;
    s.classToken = false;
    s.headOutputs = 0;
    s.description = note + "; causal, token input, no embedding or logits counted";
    return s;
}

ArchSpec fitDecoder(const char* name, const ArchSpec& base, const char* pattern, const std::string& note)
{
    ArchSpec s = base;
    s.name = name;
    s.kind = ArchKind::Fit;
    s.groupSize = 2048;
    s.latentsPerGroup = 64;
    s.latentWidth = base.width;
    s.latentHeads = base.heads;
    s.pattern = pattern;
    s.description = note;
    return s;
}

ArchSpec blockwise(const char* name, ArchKind kind, int depth, int width, int heads, double ffMult, const std::string& note)
{
    ArchSpec s = decoder(name, depth, width, heads, note);
    s.kind = kind;
    s.mlpRatio = ffMult;
    s.block = 1024; // FAM paper Sec. 3.1 / Table 4 defaults: B = 1024, M = 3, F = 64
    s.memory = 3;
    s.famLength = 64;
    s.description = note + "; B = 1024, M = 3" + (kind == ArchKind::Fam ? ", F = 64" : "")
                    + " (FAM paper defaults, Table 4); causal blocks, token input";
    return s;
}

// The image encoders: every ViT preset, then ViT-B/16 with windows and with ToMe, and FIT with
// ViT-S/16 layers.
void addImagePresets(std::vector<ArchSpec>& out)
{
    for (const VitConfig& c : vitPresets())
        out.push_back(vit(c));
    const ArchSpec vitB = vit(vitPreset("vit-b16")), vitS = vit(vitPreset("vit-s16"));

    ArchSpec win = vitB;
    win.name = "window-vit-b16";
    win.kind = ArchKind::Window;
    win.window = 196;
    win.description = "ViT-B/16 with attention inside windows of 196 tokens (14 x 14 patches, ViTDet's window size; "
                      "its few global blocks are omitted)";
    out.push_back(win);

    ArchSpec tome = vitB;
    tome.name = "tome-vit-b16";
    tome.kind = ArchKind::ToMe;
    tome.schedule = ToMeSchedule::constant(16);
    tome.description = "ViT-B/16 with ToMe r = 16 per block (ToMe paper's ViT-B setting at 224 px)";
    out.push_back(tome);

    ArchSpec fitS = vitS;
    fitS.name = "fit-vit-s16";
    fitS.kind = ArchKind::Fit;
    fitS.classToken = false;
    fitS.headOutputs = 0;
    fitS.groupSize = 64; // 8 x 8 patch windows
    fitS.latentsPerGroup = 4;
    fitS.latentWidth = 384;
    fitS.latentHeads = 6;
    fitS.pattern = "L(4)G(2)L(4)G(2)";
    fitS.description = "FIT image encoder with ViT-S/16 local layers: 8 x 8 patch groups, 4 latents each, pattern "
                       "L(4)G(2)L(4)G(2) (the app's FIT lab default; not a paper configuration)";
    out.push_back(fitS);
}

// The decoders: GPT-3 at three sizes, and FIT-AR decoders of the same sizes.
void addDecoderPresets(std::vector<ArchSpec>& out)
{
    const ArchSpec g350 = decoder("gpt3-350m", 24, 1024, 16, "GPT-3 350M (Table 2.1: 24 layers, width 1024, 16 heads)");
    const ArchSpec g13 = decoder("gpt3-13b", 40, 5120, 40,
                                 "GPT-3 13B as the FIT paper's case study is reported (40 layers, width 5120); GPT-3's "
                                 "Table 2.1 says width 5140");
    const ArchSpec g175 = decoder("gpt3-175b", 96, 12288, 96, "GPT-3 175B (Table 2.1: 96 layers, width 12288, 96 heads)");
    out.insert(out.end(), {g350, g13, g175});
    const std::string unconfirmed = "; FIT's Figs. 3/4 could not be read: group 2048 and 64 latents/group are stated for "
                                    "13B only, latent width = width and the layer pattern are assumptions";
    out.push_back(fitDecoder("fit-350m", g350, "L(4)G(2)L(4)G(2)L(4)G(2)L(4)G(2)",
                             "FIT-AR decoder at GPT-3 350M size, 24 layers" + unconfirmed));
    out.push_back(fitDecoder("fit-13b", g13, "L(8)G(2)L(8)G(2)L(8)G(2)L(8)G(2)",
                             "FIT-AR decoder of the FIT paper's 13B case study (40 layers, width 5120, group 2048, "
                             "64 latents/group)" + unconfirmed));
    out.push_back(fitDecoder("fit-175b", g175, "L(8)G(4)L(8)G(4)L(8)G(4)L(8)G(4)L(8)G(4)L(8)G(4)L(8)G(4)L(8)G(4)",
                             "FIT-AR decoder at GPT-3 175B size, 96 layers" + unconfirmed));
}

// The streamed models: the FAM paper's BSWA and FAM models, and ViT-S/16 blocks streamed both ways.
void addStreamPresets(std::vector<ArchSpec>& out)
{
    out.push_back(blockwise("bswa-1b", ArchKind::Bswa, 18, 1536, 12, 8, "FAM paper 1B (Table 3: 18 layers, width 1536, FF x8, 12 heads)"));
    out.push_back(blockwise("fam-1b", ArchKind::Fam, 18, 1536, 12, 8, "FAM paper 1B (Table 3: 18 layers, width 1536, FF x8, 12 heads)"));
    out.push_back(blockwise("fam-8b", ArchKind::Fam, 32, 4096, 32, 4, "FAM paper 8B (Table 3: 32 layers, width 4096, FF x4, 32 heads)"));

    const ArchSpec vitS = vit(vitPreset("vit-s16"));
    for (ArchKind kind : {ArchKind::Bswa, ArchKind::Fam}) {
        ArchSpec s = vitS;
        s.kind = kind;
        s.name = kind == ArchKind::Fam ? "fam-vit-s16" : "bswa-vit-s16";
        s.causal = true;
        s.patchSize = 0;
        s.classToken = false;
        s.headOutputs = 0;
        s.block = 256;
        s.memory = 1;
        s.famLength = 16;
        s.description = std::string("ViT-S/16 blocks streamed as ") + (kind == ArchKind::Fam ? "TransformerFAM" : "BSWA")
                        + ": B = 256, M = 1" + (kind == ArchKind::Fam ? ", F = 16" : "")
                        + ", causal (the app's FAM lab on a synthetic stream; not a paper configuration)";
        out.push_back(s);
    }
}

std::vector<ArchSpec> makePresets()
{
    std::vector<ArchSpec> out;
    addImagePresets(out);
    addDecoderPresets(out);
    addStreamPresets(out);
    return out;
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

} // namespace

const std::vector<ArchSpec>& flopPresets()
{
    static const std::vector<ArchSpec> presets = makePresets();
    return presets;
}

std::vector<std::string> flopPresetNames()
{
    std::vector<std::string> out;
    for (const ArchSpec& s : flopPresets())
        out.push_back(s.name);
    return out;
}

ArchSpec flopPreset(const std::string& name)
{
    for (const ArchSpec& s : flopPresets())
        if (s.name == lower(name))
            return s;
    std::string known;
    for (const ArchSpec& s : flopPresets())
        known += (known.empty() ? "" : ", ") + s.name;
    throw Error("unknown preset '" + name + "' (" + known + ")");
}

} // namespace ts
