#pragma once
// TransformerFAM with the ViT's own blocks, as the GUI and the command line use it: one request
// in (an image's patches in raster order, or a synthetic stream of any length), timing, memory
// and what the FAM attended to out. Torch-free.
//
// Causality: a stream runs causal inside each block, as the paper's language model does. The
// image mode is bidirectional inside the block (a ViT encoder never saw causal masks, and a raster
// block has no "future"); memory segments and FAM are the same in both. Either can be overridden,
// and the mask lab draws the same choice (FamMask / BlockSlidingWindowMask `causal`).
#include "core/io/image_io.h"
#include "core/nn/flop_counter.h"
#include "core/util/run_control.h"
#include "core/vit/vit_api.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ts {

struct FamRequest {
    VitModelPtr model;                // its blocks run in FAM mode; patch embedding in image mode
    cv::Mat imageRgb;                 // image mode when non-empty: preprocessed as the model's checkpoint
                                      // side files say (core/io/preprocessing.h), as ToMe does
    Normalisation normalisation;
    bool normalisationGiven = false;  // as ToMeRequest: else a checkpoint's side files decide
    std::int64_t streamLength = 0;    // stream mode: synthetic tokens when no image is given
    std::uint64_t streamSeed = 1;
    int block = 64;                   // b
    int memory = 1;                   // s
    int fam = 8;                      // f
    bool withFam = true;              // false: BSWA
    std::optional<bool> causal;       // default: stream causal, image bidirectional
    std::uint64_t promptSeed = 7;     // the learned FAM prompt's seeded initialisation
    int overlayBlock = -1;            // the block whose FAM attention is returned (-1: the last)
    int overlayLayer = -1;            // the layer (-1: the last)
    int overlayQuery = -1;            // the query row shown: 0..n-1 a token of the block, n..n+f-1
                                      // a FAM query; -1: the FAM queries averaged (without FAM:
                                      // the block's queries averaged)
    bool keepOutputs = false;         // return the top layer's outputs (small sequences only)
};

struct FamResult {
    VitConfig config;
    std::string weights;
    bool imageMode = false;
    bool withFam = true;
    bool causal = true;
    std::int64_t length = 0;          // data tokens L
    std::int64_t blocks = 0;
    int block = 0, memory = 0, fam = 0;
    int width = 0;

    double seconds = 0;
    double tokensPerSecond = 0;
    std::int64_t peakMemoryBytes = 0;      // peak tensor bytes during the stream (PeakMemoryScope)
    std::int64_t estimatedMemoryBytes = 0; // what estimateFamMemoryBytes predicted
    FlopTally flops;

    // Image mode: the model's input and its patch grid (blocks cover raster runs of patches).
    cv::Mat crop;
    int grid = 0;

    // The chosen queries' attention for the chosen block and layer, averaged over heads (and over
    // the queries for overlayQuery -1), split by key kind: the memory segments (data tokens from
    // overlayMemoryFirstToken, oldest first; FAM queries never see them, so zeros), the previous
    // FAM, and the block's own tokens from data token overlayFirstToken. The totals per kind are
    // the sums of those vectors. overlayVisibleKeys: how many keys the queries see (mean over
    // them; fewer in a causal block), so uniform attention is 1 / overlayVisibleKeys.
    int overlayBlock = -1, overlayLayer = -1, overlayQuery = -1;
    std::int64_t overlayFirstToken = 0, overlayMemoryFirstToken = 0;
    std::vector<float> overlayAttention;
    std::vector<float> overlayMemoryAttention;
    std::vector<float> overlayFamAttention;
    float overlayOnPreviousFam = 0;
    float overlayOnMemory = 0;
    double overlayVisibleKeys = 0;

    std::vector<float> outputs;       // [L * width] when keepOutputs
    double outputMeanAbs = 0;         // mean |output| over all tokens (a checksum of the run)
};

// Throws ts::Error (one line) or ts::Cancelled. Opens c10::InferenceMode; reports progress per block.
FamResult runFam(const FamRequest& request, const RunControl& control = {});

// Peak tensor memory of the run, predicted from the sizes: per layer the memory segments' keys and
// values and the FAM, one block's activations, and in image mode the patch embeddings.
std::int64_t estimateFamMemoryBytes(const FamRequest& request);

// Tokens in block `index` of a sequence of `length` tokens cut into blocks of `block`.
std::int64_t famBlockTokens(std::int64_t length, int block, std::int64_t index);
// The data length of a request (patches in image mode) and its checks (one-line ts::Error).
std::int64_t famSequenceLength(const FamRequest& request);
void validateFamRequest(const FamRequest& request);
// The size checks alone, before any model is built (sizes as in FamRequest).
void validateFamSizes(std::int64_t length, int block, int memory, int fam, bool withFam);

} // namespace ts
