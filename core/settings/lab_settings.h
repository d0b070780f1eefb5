#pragma once
// The settings and provenance of one lab's figure as plain data: where the model comes from
// (preset and seed, or checkpoint path and its SHA-256), the normalisation, the input size, every
// lab parameter and the view state (layer, selection, opacity, zoom, ...). The GUI panels build
// one from their controls, the session file stores it, a figure's recipe embeds it and the
// command line parses its options into it; the recipe's command is generated from it
// (core/settings/recipe_command.h), so a recipe names exactly what drew the figure. Torch- and
// Qt-free, so core, ui and app all use the same structs.
#include "core/io/image_io.h"
#include "core/masks/mask_spec.h"
#include "core/reduction/reduction_method.h"
#include "core/tome/tome_schedule.h"
#include "core/vit/vit_api.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ts {

// The ViT every image lab runs (ToMe, FAM): source plus the pixels' normalisation.
struct ModelSettings {
    ModelSource source;              // preset, input size, seed, checkpoint path
    std::string checkpointSha256;    // lower-case hex of the checkpoint file; empty for random weights
    Normalisation normalisation;
};
bool operator==(const Normalisation& a, const Normalisation& b);
bool operator==(const ModelSettings& a, const ModelSettings& b);

// The ToMe lab's attention view (core/vit/attention_record.h): the class token's attention in one
// block (a head or the mean over heads), or its attention rollout over the blocks (Abnar &
// Zuidema 2020), with ToMe's merging as the lab runs it. Recorded only while shown.
struct AttentionSettings {
    bool shown = false;              // off: nothing is recorded (no time or memory spent)
    int block = -1;                  // 0-based block; -1: the last
    int head = -1;                   // -1: the mean over heads
    bool rollout = false;
    enum class Range { Data, FromZero };
    Range range = Range::Data;       // colour bar: the map's min..max, or 0..max
};
bool operator==(const AttentionSettings& a, const AttentionSettings& b);

struct ToMeSettings {
    ModelSettings model;
    std::string image;               // path (":/images/..." for a bundled one)
    enum class Schedule { Constant, Inflection, List };
    Schedule schedule = Schedule::Constant;
    int r = 8;
    double inflection = -0.5;        // Schedule::Inflection
    std::vector<int> list = {16, 16, 12, 12, 8, 8, 4, 4, 0, 0, 0, 0}; // Schedule::List
    ReductionOptions reduction;      // the method (ToMe by default) and its own parameters
    bool proportionalAttention = true;
    // View.
    int layer = -1;                  // after block `layer` (0 = input); -1: the last
    double opacity = 1.0;            // map over the input, 0..1
    bool borders = true;
    enum class Colours { Mean, Random };
    Colours colours = Colours::Mean; // groups in their mean colour, or a distinct random colour each
    int selectedPatch = -1;          // >= 0: the lineage of that patch's token
    AttentionSettings attention;
};
// The merge schedule the settings name (constant r, r with inflection, or the list).
ToMeSchedule toMeScheduleOf(const ToMeSettings& s);
// "mean" / "random", as sessions, recipes and `tokenscope merge --colours` write them; the parse
// throws ts::Error naming the value for anything else.
const char* toMeColoursName(ToMeSettings::Colours colours);
ToMeSettings::Colours toMeColoursFromName(const std::string& name);

// The Compare lab and `tokenscope compare`: 2-4 token-reduction methods at one FLOP budget on one
// image (core/reduction/compare_api.h), each method's own parameters, and the view: the block
// whose merged-token maps are shown side by side and a patch whose lineage each map shows.
struct CompareSettings {
    ModelSettings model;
    std::string image;
    std::vector<ReductionMethod> methods = {ReductionMethod::ToMe, ReductionMethod::PiToMe, ReductionMethod::Atc,
                                            ReductionMethod::EVit};
    // The budget: `gflops` when above 0 (the command line's --gflops), else `fraction` of the
    // unreduced model's FLOPs (the lab's slider, so it follows a change of model).
    double fraction = 0.6;
    double gflops = 0;
    double margin = 0.9;             // PiToMe's m0
    Linkage linkage = Linkage::Average; // ATC
    std::vector<int> evitLayers;     // EViT's reduction layers (0-based); empty: the paper's
    // View.
    int layer = -1;                  // maps after block `layer` (0 = input); -1: the last
    int selectedPatch = -1;          // >= 0: each map shows the lineage of that patch's token
};
// Each method's options, as runCompare takes them.
std::vector<ReductionOptions> reductionOptionsOf(const CompareSettings& s);
// The budget in FLOPs for `config` (gflops, else the fraction of the unreduced model's); throws
// ts::Error where the analytic model does not describe the ViT (core/reduction/budget_solver.h).
double compareTargetFlops(const CompareSettings& s, const VitConfig& config);

struct FitSettings {
    std::string image;
    std::uint64_t seed = 0;          // random weights
    std::string checkpoint;          // FIT or timm ViT checkpoint; empty: random
    std::string checkpointSha256;
    Normalisation normalisation;
    int groupSize = 4;
    int latents = 4;
    int latentWidth = 384;
    int latentHeads = 0;             // 0: as the width implies (heads at the data width, else width / 64)
    std::string pattern = "L(2)G(1)L(2)G(1)";
    int size = 448;                  // resize + centre crop; 0: the image as it is
    bool autoregressive = false;
    // View.
    int block = -1;                  // 0-based FIT block; -1: the last with global layers
    int group = -1;                  // -1: the group under the image centre
    int latent = -1;                 // -1: all of the group's latents
    // Colour bars of both maps: 0 to the largest value over every block with global layers (for
    // this group and latent choice), so stepping blocks compares frames; or each map's own range.
    enum class Range { Fixed, Data };
    Range range = Range::Fixed;
};

struct FamSettings {
    ModelSettings model;
    std::string image;               // image mode when set
    std::int64_t streamLength = 0;   // stream mode when no image
    int block = 16;
    int memory = 1;
    int fam = 4;
    bool withFam = true;
    std::optional<bool> causal;      // default: stream causal, image bidirectional
    std::uint64_t streamSeed = 1;
    std::uint64_t promptSeed = 7;
    // View.
    int overlayBlock = 5;            // the block whose FAM attention is shown
    int layer = 12;                  // 1-based ViT layer
    int query = -1;                  // row of the block's queries shown: 0..n-1 its tokens, n..n+f-1
                                     // the FAM queries; -1: the FAM queries (without FAM: the
                                     // block's queries) averaged
    // The colour bar: 0 to the largest weight shown; the smallest to the largest weight of the
    // keys the query sees (spreads near-uniform attention over the ramp); or 0 to 1, the same for
    // every block, layer and setting, so frames compare.
    enum class Range { FromZero, Data, Fixed };
    Range range = Range::FromZero;
};
// "from-zero" / "data" / "fixed", as sessions, recipes and `tokenscope fam --colour-range` write
// them; the parse throws ts::Error naming the value for anything else.
const char* famRangeName(FamSettings::Range range);
FamSettings::Range famRangeFromName(const std::string& name);

struct MaskSettings {
    std::vector<std::string> kinds = {"fam", "bswa"}; // 1..3 masks side by side
    std::int64_t length = 16;
    std::int64_t window = 3;
    std::int64_t block = 2;
    std::int64_t memory = 1;
    std::int64_t fam = 1;
    std::int64_t group = 4;
    std::int64_t latents = 2;
    bool causal = true;
    bool autoregressive = false;
    int width = 384;                 // model width for the cost
    int depth = 4;                   // receptive-field depth
    // Kind "tome" (command line): the merged sequence of ToMe run on this image.
    std::string tomeImage;
    ModelSettings tomeModel;
    int tomeR = 8;
    int tomeLayer = -1;              // -1: the last block
    // View.
    std::optional<std::int64_t> region[4]; // q0, q1, k0, k1 when zoomed (all four or none)
    int pixels = 512;                // raster side per panel
    int panelSide = 512;             // logical pixels per panel in the figure
    bool zoomed() const { return region[0].has_value(); }
};

// One panel's mask description (`kind` one of settings.kinds) from the lab's sizes. The ToMe
// scheme also needs its run's source map (tokenOfPatch), which the caller adds.
MaskSpec maskSpecOf(const MaskSettings& settings, const std::string& kind);

struct FlopSettings {
    std::vector<std::string> presets = {"vit-s16", "vit-b16", "window-vit-b16", "tome-vit-b16", "fit-vit-s16"};
    std::vector<std::string> customModels; // names of the custom models shown (their specs: customModelsJson)
    std::string customModelsJson;          // {"models": [...]}, a FLOP config file's content; empty: none
    // ViT patch counts: 196 (224 px at patch 16) to 16K (2048 px); "1024:1048576:x2" for long sequences.
    std::string lengths = "196,576,1024,2304,4096,9216,16384";
    std::string convention = "default";
    std::string mode = "curves";           // curves | ratio | breakdown
    std::string reference;                 // baseline (ratio) or model (breakdown); empty: the first
    bool byStage = false;
    bool measure = false;                  // the figure shows measured points
    long long measureMaxLength = 4096;     // 0: every length
    int figureWidth = 960, figureHeight = 600; // the charts' layout size
    long long markLength = 0;              // a length marked on the chart (the current image's tokens); 0: none
};

} // namespace ts
