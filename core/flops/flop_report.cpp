#include "core/flops/flop_report.h"

#include "core/flops/flop_config.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <set>
#include <sstream>

namespace ts {
namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kStatusNames[] = {"not_requested", "ran", "too_large", "unsupported", "failed", "cancelled"};

ojson mapJson(const std::map<std::string, double>& m)
{
    ojson o = ojson::object();
    for (const auto& [k, v] : m)
        o[k] = v;
    return o;
}

std::map<std::string, double> mapFrom(const ojson& o, const char* key)
{
    std::map<std::string, double> out;
    if (o.contains(key))
        for (const auto& item : o.at(key).items())
            out[item.key()] = item.value().get<double>();
    return out;
}

ojson pointJson(const FlopPoint& p)
{
    ojson o;
    o["length"] = p.length;
    o["flops"] = p.analytic.total;
    o["parts"] = mapJson(p.analytic.parts);
    o["stages"] = mapJson(p.analytic.stages);
    o["elementwise_flops"] = mapJson(p.analytic.elementwise);
    const FlopMeasurement& m = p.measured;
    if (m.status == MeasureStatus::NotRequested)
        return o;
    o["measure_status"] = measureStatusName(m.status);
    if (!m.note.empty())
        o["measure_note"] = m.note;
    if (m.estimatedMemoryBytes > 0)
        o["estimated_memory_bytes"] = m.estimatedMemoryBytes;
    if (m.status == MeasureStatus::Ran) {
        o["measured_flops"] = m.flops;
        o["measured_parts"] = mapJson(m.parts);
        o["measured_elementwise_flops"] = mapJson(m.elementwise);
        o["analytic_default_flops"] = m.analyticFlops;
        o["seconds"] = m.seconds;
        o["peak_memory_bytes"] = m.peakMemoryBytes;
    }
    return o;
}

FlopPoint pointFrom(const ojson& o)
{
    FlopPoint p;
    p.length = o.at("length").get<long long>();
    p.analytic.total = o.at("flops").get<double>();
    p.analytic.parts = mapFrom(o, "parts");
    p.analytic.stages = mapFrom(o, "stages");
    p.analytic.elementwise = mapFrom(o, "elementwise_flops");
    FlopMeasurement& m = p.measured;
    if (o.contains("measure_status"))
        m.status = measureStatusFromName(o.at("measure_status").get<std::string>());
    m.note = o.value("measure_note", std::string());
    m.estimatedMemoryBytes = o.value("estimated_memory_bytes", 0LL);
    m.flops = o.value("measured_flops", 0.0);
    m.parts = mapFrom(o, "measured_parts");
    m.elementwise = mapFrom(o, "measured_elementwise_flops");
    m.analyticFlops = o.value("analytic_default_flops", 0.0);
    m.seconds = o.value("seconds", 0.0);
    m.peakMemoryBytes = o.value("peak_memory_bytes", 0LL);
    return p;
}

// --- CSV ------------------------------------------------------------------------------------------

std::string number(double v)
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string quote(const std::string& s)
{
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::vector<std::vector<std::string>> parseCsv(const std::string& text)
{
    std::vector<std::vector<std::string>> rows(1);
    std::string cell;
    bool quoted = false, any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
                cell += '"', ++i;
            else if (c == '"')
                quoted = false;
            else
                cell += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().push_back(cell), cell.clear();
        } else if (c == '\n') {
            rows.back().push_back(cell), cell.clear();
            rows.emplace_back();
        } else if (c != '\r') {
            cell += c;
        }
        any = true;
    }
    if (quoted)
        throw Error("CSV: unterminated quoted cell");
    if (!cell.empty() || (!rows.back().empty()))
        rows.back().push_back(cell);
    if (rows.back().empty())
        rows.pop_back();
    if (!any)
        rows.clear();
    return rows;
}

const char* const kFixedColumns[] = {"architecture", "kind", "convention", "length", "flops"};
const char* const kMeasureColumns[] = {"measure_status", "measured_flops", "analytic_default_flops", "seconds",
                                       "peak_memory_bytes", "estimated_memory_bytes", "measure_note"};

} // namespace

const char* measureStatusName(MeasureStatus status) { return kStatusNames[static_cast<int>(status)]; }

MeasureStatus measureStatusFromName(const std::string& name)
{
    for (int i = 0; i < 6; ++i)
        if (name == kStatusNames[i])
            return static_cast<MeasureStatus>(i);
    throw Error("measure status: unknown '" + name + "'");
}

FlopReport computeFlopCurves(const std::vector<ArchSpec>& specs, const std::vector<long long>& lengths,
                             const FlopConvention& convention, bool fitOptimum)
{
    FlopReport report;
    report.convention = convention;
    for (const ArchSpec& spec : specs) {
        FlopSeries series;
        series.spec = spec;
        series.points.reserve(lengths.size());
        for (long long length : lengths)
            series.points.push_back({length, countFlops(spec, length, convention), {}});
        if (fitOptimum && spec.kind == ArchKind::Fit)
            series.fitOptimum = fitScaling(spec, lengths, convention);
        report.series.push_back(std::move(series));
    }
    return report;
}

std::string flopReportJson(const FlopReport& report)
{
    ojson root;
    root["format"] = "tokenscope-flops-1";
    root["convention"] = {{"name", report.convention.name()}, {"label", report.convention.label()}};
    ojson models = ojson::object(), curves = ojson::object(), optimum = ojson::object();
    for (const FlopSeries& s : report.series) {
        models[s.spec.name] = ojson::parse(archSpecToJson(s.spec).dump());
        ojson points = ojson::array();
        for (const FlopPoint& p : s.points)
            points.push_back(pointJson(p));
        curves[s.spec.name] = points;
        if (s.fitOptimum) {
            ojson rows = ojson::array();
            for (std::size_t i = 0; i < s.fitOptimum->total.size(); ++i) {
                const FitOptimum &t = s.fitOptimum->total[i], &a = s.fitOptimum->attention[i];
                rows.push_back({{"length", t.length}, {"group_size", t.groupSize}, {"flops", t.flops},
                                {"attention_group_size", a.groupSize}, {"attention_flops", a.flops},
                                {"closed_form_group_size", t.closedFormGroupSize}});
            }
            optimum[s.spec.name] = {{"total_exponent", s.fitOptimum->totalExponent},
                                    {"attention_exponent", s.fitOptimum->attentionExponent},
                                    {"points", rows}};
        }
    }
    root["models"] = models;
    root["architectures"] = curves;
    if (!optimum.empty())
        root["fit_optimum"] = optimum;
    return root.dump(2) + "\n";
}

FlopReport flopReportFromJson(const std::string& text)
{
    FlopReport report;
    try {
        const ojson root = ojson::parse(text);
        report.convention = flopConvention(root.at("convention").at("name").get<std::string>());
        for (const auto& item : root.at("architectures").items()) {
            FlopSeries s;
            const nlohmann::json spec = nlohmann::json::parse(root.at("models").at(item.key()).dump());
            s.spec = archSpecFromJson(spec, "models." + item.key());
            for (const ojson& p : item.value())
                s.points.push_back(pointFrom(p));
            report.series.push_back(std::move(s));
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("FLOP JSON: ") + e.what());
    }
    return report;
}

std::string flopReportCsv(const FlopReport& report)
{
    std::set<std::string> parts, stages, elementwise, measured;
    for (const FlopSeries& s : report.series)
        for (const FlopPoint& p : s.points) {
            for (const auto& [k, v] : p.analytic.parts)
                parts.insert(k);
            for (const auto& [k, v] : p.analytic.stages)
                stages.insert(k);
            for (const auto& [k, v] : p.analytic.elementwise)
                elementwise.insert(k);
            for (const auto& [k, v] : p.measured.parts)
                measured.insert(k);
        }
    std::ostringstream out;
    std::string header;
    for (const char* c : kFixedColumns)
        header += std::string(header.empty() ? "" : ",") + c;
    auto addColumns = [&](const std::set<std::string>& names, const char* prefix) {
        for (const std::string& n : names)
            header += std::string(",") + prefix + n;
    };
    addColumns(parts, "part:");
    addColumns(stages, "stage:");
    addColumns(elementwise, "elementwise:");
    addColumns(measured, "measured:");
    for (const char* c : kMeasureColumns)
        header += std::string(",") + c;
    out << header << "\n";
    auto cells = [&](const std::set<std::string>& names, const std::map<std::string, double>& values) {
        for (const std::string& n : names) {
            auto it = values.find(n);
            out << "," << (it == values.end() ? "" : number(it->second));
        }
    };
    for (const FlopSeries& s : report.series)
        for (const FlopPoint& p : s.points) {
            out << quote(s.spec.name) << "," << archKindName(s.spec.kind) << "," << report.convention.name() << ","
                << p.length << "," << number(p.analytic.total);
            cells(parts, p.analytic.parts);
            cells(stages, p.analytic.stages);
            cells(elementwise, p.analytic.elementwise);
            cells(measured, p.measured.parts);
            const FlopMeasurement& m = p.measured;
            const bool ran = m.status == MeasureStatus::Ran;
            out << "," << measureStatusName(m.status) << "," << (ran ? number(m.flops) : "") << ","
                << (ran ? number(m.analyticFlops) : "") << "," << (ran ? number(m.seconds) : "") << ","
                << (ran ? std::to_string(m.peakMemoryBytes) : "") << ","
                << (m.estimatedMemoryBytes > 0 ? std::to_string(m.estimatedMemoryBytes) : "") << "," << quote(m.note)
                << "\n";
        }
    return out.str();
}

namespace {

double csvNumber(const std::string& s) { return s.empty() ? 0.0 : std::stod(s); }

// One cell after the first five, into the point by its column's name: "part:", "stage:",
// "elementwise:" and "measured:" columns into their maps, the measurement's own columns.
void readPointCell(const std::string& h, const std::string& v, FlopPoint& p)
{
    FlopMeasurement& m = p.measured;
    auto put = [&](const char* prefix, std::map<std::string, double>& into) {
        const std::size_t n = std::char_traits<char>::length(prefix);
        if (h.compare(0, n, prefix) != 0)
            return false;
        if (!v.empty())
            into[h.substr(n)] = csvNumber(v);
        return true;
    };
    if (put("part:", p.analytic.parts) || put("stage:", p.analytic.stages) || put("elementwise:", p.analytic.elementwise)
        || put("measured:", m.parts))
        return;
    if (h == "measure_status")
        m.status = measureStatusFromName(v);
    else if (h == "measured_flops")
        m.flops = csvNumber(v);
    else if (h == "analytic_default_flops")
        m.analyticFlops = csvNumber(v);
    else if (h == "seconds")
        m.seconds = csvNumber(v);
    else if (h == "peak_memory_bytes")
        m.peakMemoryBytes = v.empty() ? 0 : std::stoll(v);
    else if (h == "estimated_memory_bytes")
        m.estimatedMemoryBytes = v.empty() ? 0 : std::stoll(v);
    else if (h == "measure_note")
        m.note = v;
}

} // namespace

FlopReport flopReportFromCsv(const std::string& text)
{
    const auto rows = parseCsv(text);
    if (rows.empty() || rows[0].size() < 5 || rows[0][0] != "architecture")
        throw Error("FLOP CSV: missing the header row");
    const std::vector<std::string>& header = rows[0];
    FlopReport report;
    for (std::size_t r = 1; r < rows.size(); ++r) {
      try {
        const auto& row = rows[r];
        if (row.size() != header.size())
            throw Error("FLOP CSV: row " + std::to_string(r + 1) + " has " + std::to_string(row.size()) + " cells, header "
                        + std::to_string(header.size()));
        report.convention = flopConvention(row[2]);
        if (report.series.empty() || report.series.back().spec.name != row[0]) {
            FlopSeries s;
            s.spec.name = row[0];
            s.spec.kind = archKindFromName(row[1]);
            report.series.push_back(s);
        }
        FlopPoint p;
        p.length = std::stoll(row[3]);
        p.analytic.total = csvNumber(row[4]);
        for (std::size_t c = 5; c < header.size(); ++c)
            readPointCell(header[c], row[c], p);
        report.series.back().points.push_back(p);
      } catch (const std::logic_error&) { // std::stod / std::stoll
        throw Error("FLOP CSV: row " + std::to_string(r + 1) + " holds a cell that is not a number");
      }
    }
    return report;
}

} // namespace ts
