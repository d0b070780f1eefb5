#pragma once
// The FLOP lab's command builder: the settings behind the chart as shown (core/settings/
// lab_settings.h's FlopSettings), from which the recipe command, the exported figure's layout
// and the session are made. The models are the ones the report holds (presets by name, custom
// models with their definitions, as the command reads them from flop_models.json).
#include "core/flops/flop_report.h"
#include "core/settings/lab_settings.h"

#include <QSizeF>

#include <string>
#include <vector>

namespace ts {

class FlopModelList;

// The view choices of the lab's controls.
struct FlopChartChoice {
    int mode = 0;                 // 0 curves, 1 ratio, 2 breakdown
    std::string reference;        // the baseline (ratio) or the model (breakdown)
    bool byStage = false;
    long long measureMaxLength = 0;
    std::string lengths;          // the lengths text behind the report
    QSizeF chartSize;             // the view's size: the exported figure is laid out at it
    long long markLength = 0;     // the current image's token count (0: none)
};

// The name of a chart mode in settings, sessions and the command line ("curves", ...).
const char* flopChartModeName(int mode);
// The custom models the report shows, in its order.
std::vector<ArchSpec> shownCustomModels(const FlopReport& report, const FlopModelList& models);
FlopSettings flopChartSettings(const FlopReport& report, const FlopModelList& models, const FlopChartChoice& choice);

} // namespace ts
