#pragma once
// Echoing user input in one-line messages: a value from the command line, a file name, a
// checkpoint key or a config field can hold newlines, control characters or megabytes of text;
// printed as is, it breaks the "one line per error" contract or floods the terminal.
#include <string>
#include <string_view>

namespace ts {

// Control characters (and DEL) escaped C-style ("\n", "\t", "\x1b"), other bytes kept (UTF-8
// passes through); longer than `maxChars` bytes: the start, " ... ", the end.
std::string printableText(std::string_view text, std::size_t maxChars = 200);
// printableText in single quotes: "'a\nb'".
std::string quotedForMessage(std::string_view text, std::size_t maxChars = 200);
// A number as messages print it: at most 6 significant digits ("0.25", "1e+308", "nan"), never
// std::to_string's fixed notation (300 digits for 1e308).
std::string numberText(double value);
// A two-dimensional size as every message and figure writes it: columns x rows (width x
// height), "640 x 480" for an image 640 wide; grids of patches the same way.
std::string sizeText(long long columns, long long rows);
// A whole message made one line: control characters escaped, nothing shortened.
std::string oneLineMessage(std::string_view message);

} // namespace ts
