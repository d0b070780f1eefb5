#pragma once
// The FLOP lab's measured points, kept per (model name, length) across every edit of the chart:
// a length or model taken off the chart and put back shows its measurement again, and sessions
// save them all. Held in the default counting convention, as measureReport returns them. No
// widgets: the panel owns one and asks it to fill reports.
#include "core/flops/flop_report.h"

#include <functional>
#include <map>
#include <string>
#include <utility>

namespace ts {

class FlopMeasurementStore {
public:
    // What one measuring run added: points run, points too large for memory, points not run
    // for another reason (the first of those described).
    struct Added {
        int ran = 0, tooLarge = 0, other = 0;
        std::string firstNote;
    };

    bool empty() const { return m_points.empty(); }
    int size() const { return static_cast<int>(m_points.size()); }
    void clear() { m_points.clear(); }
    // Forgets a model's points (a custom model redefined under the same name).
    void forgetModel(const std::string& name);

    // Keeps every requested point of a measured report.
    Added add(const FlopReport& measured);
    // Sets each point's measurement from the store (an empty one where none is kept).
    void apply(FlopReport& report) const;
    // The number of the report's points that carry a measurement.
    static int measuredPoints(const FlopReport& report);

    // Every kept point as a report in the default convention, the specs looked up by name
    // (models `specFor` no longer knows are left out: their points went with them).
    FlopReport keptReport(const std::function<ArchSpec(const std::string&)>& specFor) const;
    // Replaces the store by a report's measured points (a session's "measured").
    void restore(const FlopReport& saved);

private:
    std::map<std::pair<std::string, long long>, FlopMeasurement> m_points;
};

} // namespace ts
