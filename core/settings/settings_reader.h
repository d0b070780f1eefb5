#pragma once
// Reading one JSON object of lab settings field by field (core/settings/settings_json.h): a
// field that is absent keeps its default silently, a field of the wrong type or range keeps it
// and is reported as one line in `problems`. Internal to the settings readers.
#include "core/io/image_io.h"

#include <nlohmann/json.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace ts::settings {

// Reads fields of one object; a field that is absent keeps its default silently, a field of the
// wrong type or range keeps it and is reported.
class Reader {
public:
    using json = nlohmann::json;

    Reader(const json& j, std::vector<std::string>& problems, std::string prefix = {});
    bool has(const char* key) const { return m_j.is_object() && m_j.contains(key) && !m_j.at(key).is_null(); }
    const json& at(const char* key) const { return m_j.at(key); }

    template <class Int>
    void integer(const char* key, Int& out, long long lo, long long hi)
    {
        if (!has(key))
            return;
        const json& v = m_j.at(key);
        long long x = 0;
        if (v.is_number_integer())
            x = v.get<long long>();
        else if (v.is_string() && parse(v.get<std::string>(), x)) {
        } else
            return report(key, "expected an integer, got " + v.dump());
        if (x < lo || x > hi)
            return report(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + std::to_string(x));
        out = static_cast<Int>(x);
    }
    void unsignedInteger(const char* key, std::uint64_t& out);
    void number(const char* key, double& out, double lo, double hi);
    void boolean(const char* key, bool& out);
    void text(const char* key, std::string& out);
    template <class T>
    bool list(const char* key, std::vector<T>& out)
    {
        if (!has(key))
            return false;
        const json& v = m_j.at(key);
        std::vector<T> items;
        bool ok = v.is_array();
        for (std::size_t i = 0; ok && i < v.size(); ++i) {
            if constexpr (std::is_same_v<T, std::string>)
                ok = v[i].is_string();
            else
                ok = v[i].is_number_integer() && v[i].get<long long>() >= 0 && v[i].get<long long>() <= 1000000;
            if (ok)
                items.push_back(v[i].get<T>());
        }
        if (!ok) {
            report(key, "expected a list of " + std::string(std::is_same_v<T, std::string> ? "strings" : "non-negative integers")
                            + ", got " + v.dump());
            return false;
        }
        out = std::move(items);
        return true;
    }
    void report(const std::string& key, const std::string& what);

private:
    static bool parse(const std::string& s, long long& x);
    static std::string fmt(double v);

    const json& m_j;
    std::vector<std::string>& m_problems;
    std::string m_prefix;
};

// Three floats as a JSON array, and read back ("mean", "std": finite, std above 0).
nlohmann::json triple(const float* v);
void readTriple(Reader& r, const char* key, float* out, bool positive);
void readNormalisation(Reader& r, Normalisation& n);

} // namespace ts::settings
