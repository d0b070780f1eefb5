#include "core/flops/flop_lengths.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ts {
namespace {

long long parseLength(const std::string& text)
{
    std::size_t used = 0;
    long long v = 0;
    try {
        // Accept "1e6" and "65536" alike, but only whole numbers.
        const double d = std::stod(text, &used);
        if (used != text.size() || d != std::floor(d))
            throw Error("");
        if (d < 1 || d > double(kMaxFlopLength))
            throw Error("lengths: " + text + " is outside 1.." + std::to_string(kMaxFlopLength));
        v = static_cast<long long>(d);
    } catch (const Error& e) {
        if (std::string(e.what()).empty())
            throw Error("lengths: '" + text + "' is not a whole number");
        throw;
    } catch (const std::exception&) {
        throw Error("lengths: '" + text + "' is not a whole number");
    }
    return v;
}

std::vector<long long> finish(std::vector<long long> v)
{
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    if (v.empty())
        throw Error("lengths: none given");
    if (int(v.size()) > kMaxFlopLengths)
        throw Error("lengths: at most " + std::to_string(kMaxFlopLengths) + " lengths, got " + std::to_string(v.size()));
    return v;
}

} // namespace

std::vector<long long> logSpacedLengths(long long lo, long long hi, int count)
{
    if (lo < 1 || hi < lo)
        throw Error("lengths: range " + std::to_string(lo) + ":" + std::to_string(hi) + " must have 1 <= start <= stop");
    if (count < 1 || count > kMaxFlopLengths)
        throw Error("lengths: count must be between 1 and " + std::to_string(kMaxFlopLengths));
    std::vector<long long> out;
    for (int i = 0; i < count; ++i) {
        const double f = count == 1 ? 0.0 : double(i) / (count - 1);
        out.push_back(std::llround(std::exp(std::log(double(lo)) + f * (std::log(double(hi)) - std::log(double(lo))))));
    }
    return finish(out);
}

std::vector<long long> geometricLengths(long long lo, long long hi, double factor)
{
    if (lo < 1 || hi < lo)
        throw Error("lengths: range " + std::to_string(lo) + ":" + std::to_string(hi) + " must have 1 <= start <= stop");
    if (!(factor > 1.0) || !std::isfinite(factor))
        throw Error("lengths: the factor after 'x' must be greater than 1");
    std::vector<long long> out;
    for (double v = double(lo); v <= double(hi) * (1 + 1e-12); v *= factor) {
        out.push_back(std::llround(v));
        if (int(out.size()) > kMaxFlopLengths)
            break;
    }
    return finish(out);
}

std::vector<long long> parseLengths(const std::string& raw)
{
    std::string text;
    for (char c : raw)
        if (c != ' ')
            text += c;
    if (text.empty())
        throw Error("lengths: none given");
    if (text.find(':') != std::string::npos) {
        std::vector<std::string> pieces;
        std::stringstream in(text);
        for (std::string p; std::getline(in, p, ':');)
            pieces.push_back(p);
        if (pieces.size() != 3 || pieces[2].size() < 2 || (pieces[2][0] != 'x' && pieces[2][0] != 'n'))
            throw Error("lengths: a range is START:STOP:xFACTOR or START:STOP:nCOUNT, got '" + raw + "'");
        const long long lo = parseLength(pieces[0]), hi = parseLength(pieces[1]);
        const std::string step = pieces[2].substr(1);
        if (pieces[2][0] == 'n')
            return logSpacedLengths(lo, hi, int(std::min<long long>(parseLength(step), kMaxFlopLengths + 1)));
        double factor = 0;
        try {
            std::size_t used = 0;
            factor = std::stod(step, &used);
            if (used != step.size())
                throw std::invalid_argument("");
        } catch (const std::exception&) {
            throw Error("lengths: factor '" + step + "' is not a number");
        }
        return geometricLengths(lo, hi, factor);
    }
    std::vector<long long> out;
    std::stringstream in(text);
    for (std::string p; std::getline(in, p, ',');) {
        if (p.empty())
            throw Error("lengths: empty entry in '" + raw + "'");
        out.push_back(parseLength(p));
    }
    return finish(out);
}

} // namespace ts
