#pragma once
// A folder evaluation (core/reduction/evaluation_api.h) as the files it is exported to: the JSON
// that `tokenscope eval --json` writes, the GUI exports and sessions keep (and read back, so a
// reopened session draws the same plot), and a CSV of its rows. Torch-free.
//
//   {"images": N, "folder", "model", "weights", "batch",
//    "skipped": [{"file", "reason"}], "labels": {"from", "labelled", "unmatched": [...]} (with labels),
//    "reference": {"gflops", "images_per_second", ["top1", "top5"]},
//    "rows": [{"method", "r" | "gflops_target", "gflops", "schedule", "images_per_second",
//              "top1_agreement", "mean_cosine", ["mean_kl"], ["top1", "top5"]}],
//    "progress_file", "resumed", "computed"}
#include "core/reduction/evaluation_api.h"

#include <string>

namespace ts {

std::string evaluationJson(const EvalResult& result);
// Throws ts::Error naming the field when the text is not such a document.
EvalResult evaluationFromJson(const std::string& json);
// One line per row: method,r|gflops_target,gflops,images_per_second,top1_agreement,mean_cosine,
// mean_kl,top1,top5 (empty cells where a number does not apply).
std::string evaluationCsv(const EvalResult& result);

} // namespace ts
