#include "app/cli_args.h"

#include "core/util/error.h"
#include "core/util/printable.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace ts::cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& valued, const std::set<std::string>& flags)
{
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (arg.rfind("--", 0) != 0)
            throw Error("unexpected argument " + quotedForMessage(arg, 60));
        std::string name = arg.substr(2), inlineValue;
        bool hasInline = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name = name.substr(0, eq);
            hasInline = true;
        }
        if (flags.count(name)) {
            if (hasInline)
                throw Error("option --" + name + " takes no value");
            m_values[name] = "";
        } else if (valued.count(name)) {
            if (hasInline) {
                m_values[name] = inlineValue;
            } else {
                if (i + 1 >= argv.size())
                    throw Error("option --" + name + " needs a value");
                m_values[name] = argv[++i];
            }
        } else {
            throw Error("unknown option " + quotedForMessage("--" + name, 60));
        }
    }
}

bool Args::has(const std::string& name) const { return m_values.count(name) > 0; }

std::string Args::value(const std::string& name) const
{
    auto it = m_values.find(name);
    if (it == m_values.end())
        throw Error("missing required option --" + name);
    return it->second;
}

std::string Args::value(const std::string& name, const std::string& fallback) const
{
    auto it = m_values.find(name);
    return it == m_values.end() ? fallback : it->second;
}

std::optional<std::string> Args::optional(const std::string& name) const
{
    auto it = m_values.find(name);
    if (it == m_values.end())
        return std::nullopt;
    return it->second;
}

long long Args::integer(const std::string& name, long long fallback, long long min, long long max) const
{
    if (!has(name))
        return fallback;
    return integer(name, min, max);
}

long long Args::integer(const std::string& name, long long min, long long max) const
{
    const long long v = parseInteger(value(name), "--" + name);
    if (v < min || v > max)
        throw Error("--" + name + " must be between " + std::to_string(min) + " and " + std::to_string(max)
                    + ", got " + std::to_string(v));
    return v;
}

double Args::number(const std::string& name, double fallback) const
{
    return has(name) ? parseNumber(value(name), "--" + name) : fallback;
}

long long parseInteger(const std::string& text, const std::string& what)
{
    if (text.empty())
        throw Error(what + ": expected an integer, got nothing");
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || std::isspace(static_cast<unsigned char>(text[0])))
        throw Error(what + ": expected an integer, got " + quotedForMessage(text, 40));
    if (errno == ERANGE) // never a wrapped or clamped value passed on as if it were the input
        throw Error(what + ": " + quotedForMessage(text, 40) + " is out of range (" + std::to_string(LLONG_MIN) + " to "
                    + std::to_string(LLONG_MAX) + ")");
    return v;
}

double parseNumber(const std::string& text, const std::string& what)
{
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end == text.c_str() || *end != '\0' || std::isspace(static_cast<unsigned char>(text[0])))
        throw Error(what + ": expected a number, got " + quotedForMessage(text, 40));
    if (!std::isfinite(v) || (errno == ERANGE && std::abs(v) > 1)) // "inf", "nan", "1e999"
        throw Error(what + ": expected a finite number, got " + quotedForMessage(text, 40));
    return v;
}

std::vector<int> parseIntegerList(const std::string& text, const std::string& what)
{
    std::vector<int> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        const long long v = parseInteger(item, what);
        if (v < INT_MIN || v > INT_MAX)
            throw Error(what + ": " + std::to_string(v) + " is out of range (" + std::to_string(INT_MIN) + " to "
                        + std::to_string(INT_MAX) + ")");
        out.push_back(static_cast<int>(v));
    }
    if (out.empty())
        throw Error(what + ": expected a comma-separated list of integers");
    return out;
}

} // namespace ts::cli
