#pragma once
// Sequence lengths for the FLOP curves: a list ("1024,4096,16384") or a log range
// ("1024:1048576:x2" doubles from 1K to 1M; "1024:1048576:n64" gives 64 log-spaced lengths).
// Torch-free.
#include <string>
#include <vector>

namespace ts {

constexpr long long kMaxFlopLength = 1LL << 40;
constexpr int kMaxFlopLengths = 4096;

// Throws ts::Error "lengths: ..." naming the bad piece. Result is sorted and without repeats.
std::vector<long long> parseLengths(const std::string& text);
// `count` lengths from lo to hi (inclusive), log-spaced and rounded, repeats dropped.
std::vector<long long> logSpacedLengths(long long lo, long long hi, int count);
// Lengths lo, lo*factor, ... up to hi.
std::vector<long long> geometricLengths(long long lo, long long hi, double factor);

} // namespace ts
