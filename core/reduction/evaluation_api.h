#pragma once
// Evaluation over a folder of images: the accuracy-versus-cost curves of the token-reduction
// papers (ToMe Fig. 4, PiToMe Fig. 5) on the user's own images and model. For each method and
// each setting (an r list, or GFLOPs targets each method's schedule is solved for,
// core/reduction/budget_solver.h): the analytic GFLOPs, the measured images per second, and over
// the images the agreement with the unreduced model (top-1 the same, cosine of the output, KL of
// the softmax with a head) and, with labels, top-1 and top-5 accuracy. The command line's `eval`
// and the GUI's Evaluate Folder dialog call it. Torch-free.
//
// Batching: the images go through the model a batch at a time, the batch the largest power of two
// up to `maxBatch` whose peak memory (core/tome/tome_memory.h, the worst of the methods) fits;
// when even one image does not fit the run is refused with the numbers before any image is read.
// Timing: images per second is the images over the summed forward time of their batches (all
// cores, as configured; after one untimed warm-up pass), so a batch's share is what one image costs.
// Resume: with a `progressPath` every finished (image, run) is appended there (the format and what
// invalidates it: core/reduction/eval_progress.h) and a rerun computes only what is missing.
// Progress: one step per image and run (done / images x runs, "tome r=8: 40/100 images"); cancel
// is polled between blocks.
#include "core/io/image_io.h"
#include "core/reduction/budget_solver.h"
#include "core/reduction/image_folder.h"
#include "core/reduction/reduction_method.h"
#include "core/util/run_control.h"
#include "core/vit/vit_api.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ts {

struct EvalRequest {
    VitModelPtr model;
    Normalisation normalisation;
    bool normalisationGiven = false;     // as ToMeRequest: false lets a checkpoint's side files decide
    std::string imageFolder;
    std::string labelsFile;              // `file,label` CSV; empty: the class folders, when the images lie in them
    std::vector<ReductionOptions> methods; // each once; their keep ratio or rate is replaced by the setting
    std::vector<int> rList;              // tokens removed per reduction layer, or
    std::vector<double> gflopsList;      // GFLOPs targets (batch 1); exactly one of the two lists
    int maxBatch = 32;
    std::int64_t memoryLimitBytes = 0;   // <= 0: the memory available now
    std::string progressPath;            // empty: no resume
};

struct EvalRow {
    ReductionMethod method = ReductionMethod::ToMe;
    int r = 0;                  // the setting: r (rList) ...
    double gflopsTarget = 0;    // ... or the GFLOPs target (gflopsList)
    std::vector<int> schedule;  // r requested at each block
    double gflops = 0;          // analytic, batch 1
    double imagesPerSecond = 0;
    double top1Agreement = 0;   // fraction of images whose top-1 class is the unreduced model's
    double meanCosine = 0, meanKl = 0;
    double top1 = 0, top5 = 0;  // accuracy over the labelled images (with labels)
};

struct EvalResult {
    std::string folder, model, weights;
    int images = 0;                       // images evaluated (readable ones)
    std::vector<SkippedFile> skipped;     // every file left out, with its reason
    bool byBudget = false;                // rows carry gflopsTarget, not r
    bool hasHead = false;                 // KL and accuracy need one
    bool hasLabels = false;
    std::string labelsFrom;               // the CSV, "class folders", or ""
    int labelled = 0;                     // evaluated images with a matched label
    std::vector<std::string> unmatchedLabels;
    EvalRow reference;                    // the unreduced model (agreement 1; accuracy with labels)
    std::vector<EvalRow> rows;            // per method, its settings in the order given
    int batch = 0;
    std::string progressPath;
    int resumed = 0;                      // (image, run) results read from the progress file
    int computed = 0;                     // (image, run) results computed by this call
};

// Throws ts::Error (a one-line message: no model, bad lists, a folder with no image, a labels
// file that cannot be read, memory) or ts::Cancelled; an unreadable image is skipped, not fatal.
EvalResult runEvaluation(const EvalRequest& request, const RunControl& control = {});

// "tome r=8", "atc 2.5 GFLOPs": a row's label in progress, tables and legends.
std::string evalRowLabel(const EvalRow& row, bool byBudget);

} // namespace ts
