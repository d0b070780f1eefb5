#pragma once
// How core/settings/settings_json.cpp reads one JSON object into settings: a field that is absent
// keeps its default silently; one of the wrong type or range keeps it and is reported as one
// line ("opacity: expected a number between 0 and 1, got \"x\""). Internal to the settings' JSON.
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ts::settings_detail {

using nlohmann::json;

// Reads fields of one object; a field that is absent keeps its default silently, a field of the
// wrong type or range keeps it and is reported.
class Reader {
public:
    Reader(const json& j, std::vector<std::string>& problems, std::string prefix = {})
        : m_j(j), m_problems(problems), m_prefix(std::move(prefix))
    {
        if (!j.is_object() && !j.is_null())
            report("", "expected an object");
    }
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
    void unsignedInteger(const char* key, std::uint64_t& out)
    {
        long long x = static_cast<long long>(out);
        integer(key, x, 0, std::numeric_limits<long long>::max());
        out = static_cast<std::uint64_t>(x);
    }
    void number(const char* key, double& out, double lo, double hi)
    {
        if (!has(key))
            return;
        const json& v = m_j.at(key);
        if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < lo || v.get<double>() > hi)
            return report(key, "expected a number between " + fmt(lo) + " and " + fmt(hi) + ", got " + v.dump());
        out = v.get<double>();
    }
    // A name parsed by `parse` (which throws ts::Error naming the value, as the *FromName
    // functions of core/settings/lab_settings.h do).
    template <class T, class Parse>
    void named(const char* key, T& out, Parse parse)
    {
        std::string name;
        text(key, name);
        if (name.empty())
            return;
        try {
            out = parse(name);
        } catch (const Error& e) {
            report(key, e.what());
        }
    }
    void boolean(const char* key, bool& out)
    {
        if (!has(key))
            return;
        if (!m_j.at(key).is_boolean())
            return report(key, "expected true or false, got " + m_j.at(key).dump());
        out = m_j.at(key).get<bool>();
    }
    void text(const char* key, std::string& out)
    {
        if (!has(key))
            return;
        if (!m_j.at(key).is_string())
            return report(key, "expected a string, got " + m_j.at(key).dump());
        out = m_j.at(key).get<std::string>();
    }
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
    void report(const std::string& key, const std::string& what)
    {
        std::string shown = what.size() > 160 ? what.substr(0, 157) + "..." : what;
        m_problems.push_back(m_prefix + key + ": " + shown);
    }

private:
    static bool parse(const std::string& s, long long& x)
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
    static std::string fmt(double v) { json j = v; return j.dump(); }

    const json& m_j;
    std::vector<std::string>& m_problems;
    std::string m_prefix;
};

} // namespace ts::settings_detail
