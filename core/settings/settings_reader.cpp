#include "core/settings/settings_reader.h"

#include <cmath>
#include <limits>

namespace ts::settings {

Reader::Reader(const json& j, std::vector<std::string>& problems, std::string prefix)
    : m_j(j), m_problems(problems), m_prefix(std::move(prefix))
{
    if (!j.is_object() && !j.is_null())
        report("", "expected an object");
}

void Reader::unsignedInteger(const char* key, std::uint64_t& out)
{
    long long x = static_cast<long long>(out);
    integer(key, x, 0, std::numeric_limits<long long>::max());
    out = static_cast<std::uint64_t>(x);
}

void Reader::number(const char* key, double& out, double lo, double hi)
{
    if (!has(key))
        return;
    const json& v = m_j.at(key);
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < lo || v.get<double>() > hi)
        return report(key, "expected a number between " + fmt(lo) + " and " + fmt(hi) + ", got " + v.dump());
    out = v.get<double>();
}

void Reader::boolean(const char* key, bool& out)
{
    if (!has(key))
        return;
    if (!m_j.at(key).is_boolean())
        return report(key, "expected true or false, got " + m_j.at(key).dump());
    out = m_j.at(key).get<bool>();
}

void Reader::text(const char* key, std::string& out)
{
    if (!has(key))
        return;
    if (!m_j.at(key).is_string())
        return report(key, "expected a string, got " + m_j.at(key).dump());
    out = m_j.at(key).get<std::string>();
}

void Reader::report(const std::string& key, const std::string& what)
{
    std::string shown = what.size() > 160 ? what.substr(0, 157) + "..." : what;
    m_problems.push_back(m_prefix + key + ": " + shown);
}

bool Reader::parse(const std::string& s, long long& x)
{
    if (s.empty())
        return false;
    std::size_t used = 0;
    try {
        x = std::stoll(s, &used);
    } catch (...) {
        return false;
    }
    return used == s.size();
}

std::string Reader::fmt(double v)
{
    json j = v;
    return j.dump();
}

nlohmann::json triple(const float* v) { return nlohmann::json::array({v[0], v[1], v[2]}); }

void readTriple(Reader& r, const char* key, float* out, bool positive)
{
    if (!r.has(key))
        return;
    const nlohmann::json& v = r.at(key);
    float values[3];
    bool ok = v.is_array() && v.size() == 3;
    for (std::size_t c = 0; ok && c < 3; ++c) {
        ok = v[c].is_number();
        if (ok) {
            // Checked as the float it becomes (1e79 overflows, 1e-50 underflows to zero).
            values[c] = static_cast<float>(v[c].get<double>());
            ok = std::isfinite(values[c]) && (!positive || values[c] > 0);
        }
    }
    if (!ok)
        return r.report(key, std::string("expected three finite numbers") + (positive ? " above 0" : "") + ", got " + v.dump());
    for (int c = 0; c < 3; ++c)
        out[c] = values[c];
}

void readNormalisation(Reader& r, Normalisation& n)
{
    readTriple(r, "mean", n.mean, false);
    readTriple(r, "std", n.std, true);
}

} // namespace ts::settings
