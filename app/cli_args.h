#pragma once
// A small, strict parser for `tokenscope <command> --option value ...`: unknown options,
// missing values and malformed numbers become one-line ts::Error messages.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ts::cli {

class Args {
public:
    // `valued` options take one value; `flags` take none. Throws ts::Error on anything else.
    Args(const std::vector<std::string>& argv, const std::set<std::string>& valued, const std::set<std::string>& flags);

    bool has(const std::string& name) const;
    bool flag(const std::string& name) const { return has(name); }
    std::string value(const std::string& name) const;                 // throws if absent
    std::string value(const std::string& name, const std::string& fallback) const;
    std::optional<std::string> optional(const std::string& name) const;
    long long integer(const std::string& name, long long fallback, long long min, long long max) const;
    long long integer(const std::string& name, long long min, long long max) const; // required
    double number(const std::string& name, double fallback) const;

private:
    std::map<std::string, std::string> m_values;
};

// Parses a whole decimal integer or throws ts::Error naming `what`.
long long parseInteger(const std::string& text, const std::string& what);
double parseNumber(const std::string& text, const std::string& what);
// Comma-separated integers ("8,8,4").
std::vector<int> parseIntegerList(const std::string& text, const std::string& what);

} // namespace ts::cli
