#include "ui/labs/flops/flop_chart_settings.h"

#include "ui/labs/flops/flop_model_list.h"
#include "ui/labs/flops/flop_measurement_store.h"

#include <algorithm>
#include <cmath>

namespace ts {

const char* flopChartModeName(int mode)
{
    static const char* const kNames[] = {"curves", "ratio", "breakdown"};
    return kNames[std::clamp(mode, 0, 2)];
}

std::vector<ArchSpec> shownCustomModels(const FlopReport& report, const FlopModelList& models)
{
    std::vector<ArchSpec> out;
    for (const FlopSeries& s : report.series)
        if (models.isCustom(s.spec.name))
            out.push_back(s.spec);
    return out;
}

FlopSettings flopChartSettings(const FlopReport& report, const FlopModelList& models, const FlopChartChoice& choice)
{
    FlopSettings s;
    s.presets.clear();
    for (const FlopSeries& series : report.series)
        (models.isCustom(series.spec.name) ? s.customModels : s.presets).push_back(series.spec.name);
    const std::vector<ArchSpec> custom = shownCustomModels(report, models);
    if (!custom.empty())
        s.customModelsJson = FlopModelList::customModelsJson(custom).toStdString();
    s.lengths = choice.lengths;
    s.convention = report.convention.name();
    s.mode = flopChartModeName(choice.mode);
    s.reference = s.mode == "curves" ? std::string() : choice.reference;
    s.byStage = choice.byStage;
    s.measure = FlopMeasurementStore::measuredPoints(report) > 0;
    s.measureMaxLength = choice.measureMaxLength;
    s.figureWidth = static_cast<int>(std::lround(choice.chartSize.width()));
    s.figureHeight = static_cast<int>(std::lround(choice.chartSize.height()));
    s.markLength = choice.markLength;
    return s;
}

} // namespace ts
