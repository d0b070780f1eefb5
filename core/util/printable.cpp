#include "core/util/printable.h"

#include <cstdio>

namespace ts {
namespace {

std::string escaped(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c != 0x7f) {
            out += ch;
            continue;
        }
        switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
        }
    }
    return out;
}

// Moves `at` back to the start of a UTF-8 sequence so a cut never splits a character.
std::size_t characterStart(std::string_view text, std::size_t at)
{
    while (at > 0 && at < text.size() && (static_cast<unsigned char>(text[at]) & 0xc0) == 0x80)
        --at;
    return at;
}

} // namespace

std::string printableText(std::string_view text, std::size_t maxChars)
{
    if (text.size() <= maxChars || maxChars < 16)
        return escaped(text);
    const std::size_t head = characterStart(text, maxChars * 3 / 4);
    const std::size_t tail = characterStart(text, text.size() - maxChars / 4);
    return escaped(text.substr(0, head)) + " ... " + escaped(text.substr(tail)) + " (" + std::to_string(text.size())
           + " bytes)";
}

std::string quotedForMessage(std::string_view text, std::size_t maxChars)
{
    return "'" + printableText(text, maxChars) + "'";
}

std::string numberText(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

std::string oneLineMessage(std::string_view message)
{
    return escaped(message);
}

std::string sizeText(long long columns, long long rows) { return std::to_string(columns) + " x " + std::to_string(rows); }

} // namespace ts
