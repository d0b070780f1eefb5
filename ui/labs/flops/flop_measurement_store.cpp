#include "ui/labs/flops/flop_measurement_store.h"

#include "core/flops/flop_convention.h"

#include <vector>

namespace ts {

void FlopMeasurementStore::forgetModel(const std::string& name)
{
    for (auto m = m_points.begin(); m != m_points.end();)
        m = m->first.first == name ? m_points.erase(m) : std::next(m);
}

FlopMeasurementStore::Added FlopMeasurementStore::add(const FlopReport& measured)
{
    Added added;
    for (const FlopSeries& s : measured.series)
        for (const FlopPoint& p : s.points) {
            if (p.measured.status == MeasureStatus::NotRequested)
                continue;
            m_points[{s.spec.name, p.length}] = p.measured;
            if (p.measured.status == MeasureStatus::Ran)
                ++added.ran;
            else if (p.measured.status == MeasureStatus::TooLarge)
                ++added.tooLarge;
            else if (++added.other == 1)
                added.firstNote = s.spec.name + " at " + std::to_string(p.length) + ": " + p.measured.note;
        }
    return added;
}

void FlopMeasurementStore::apply(FlopReport& report) const
{
    for (FlopSeries& s : report.series)
        for (FlopPoint& p : s.points) {
            const auto it = m_points.find({s.spec.name, p.length});
            p.measured = it != m_points.end() ? it->second : FlopMeasurement{};
        }
}

int FlopMeasurementStore::measuredPoints(const FlopReport& report)
{
    int shown = 0;
    for (const FlopSeries& series : report.series)
        for (const FlopPoint& p : series.points)
            shown += p.measured.status != MeasureStatus::NotRequested;
    return shown;
}

FlopReport FlopMeasurementStore::keptReport(const std::function<ArchSpec(const std::string&)>& specFor) const
{
    std::map<std::string, std::vector<long long>> lengths;
    for (const auto& [key, m] : m_points)
        lengths[key.first].push_back(key.second);
    FlopReport kept;
    kept.convention = flopConvention("default");
    for (const auto& [name, list] : lengths) {
        ArchSpec spec;
        try {
            spec = specFor(name);
        } catch (const std::exception&) {
            continue;
        }
        FlopReport one = computeFlopCurves({spec}, list, kept.convention, false);
        apply(one);
        kept.series.push_back(std::move(one.series.front()));
    }
    return kept;
}

void FlopMeasurementStore::restore(const FlopReport& saved)
{
    m_points.clear();
    for (const FlopSeries& s : saved.series)
        for (const FlopPoint& p : s.points)
            if (p.measured.status != MeasureStatus::NotRequested)
                m_points[{s.spec.name, p.length}] = p.measured;
}

} // namespace ts
