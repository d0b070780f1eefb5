#pragma once
// The Evaluate figure: over a folder of images, top-1 agreement with the unreduced model (or
// top-1 accuracy when the images have labels) against cost, as in the ToMe paper's Fig. 4 and
// PiToMe's Fig. 5: one panel against the analytic GFLOPs, one against the measured images per
// second, one line with markers per method (a setting per marker, ordered by cost), the
// unreduced model as a black star. Axes carry round ticks (1, 2 or 5 times a power of ten) and
// their units; the legend sits in its own row under the panels, so it never covers data. Data in,
// painter out: the GUI's Evaluate Folder dialog, its export and `tokenscope eval --out` draw it.
// The recipe's command reruns the evaluation, so the agreement and GFLOPs come back the same and
// the images per second as this machine measures them then.
#include "core/reduction/evaluation_api.h"
#include "ui/figures/figure_export.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <vector>

namespace ts {

struct EvalSeries {
    QString name;                            // "ToMe"
    int method = 0;                          // ReductionMethod: its colour and marker in every plot
    std::vector<double> gflops, speed, value; // per setting: GFLOPs, images/s, percent
};

struct EvalFigureData {
    QString caption;  // model, weights, folder and image count
    QString quantity; // "top-1 agreement with the unreduced model (%)" or "top-1 accuracy (%)"
    std::vector<EvalSeries> series;
    double referenceGflops = 0, referenceSpeed = 0, referenceValue = 100;
};

EvalFigureData evalFigureData(const EvalResult& result);
QSizeF evalNaturalSize();
void paintEval(QPainter& painter, const QRectF& target, const EvalFigureData& data);

// Round ticks over [lo, hi] (at most about `most`): multiples of 1, 2 or 5 times a power of ten;
// the first at or below lo, the last at or above hi.
std::vector<double> enclosingRoundTicks(double lo, double hi, int most = 6);

Figure evalFigure(const EvalResult& result, const nlohmann::json& settings, const std::vector<std::string>& recipeArguments);

} // namespace ts
