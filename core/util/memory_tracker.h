#pragma once
// Counts the bytes LibTorch allocates on the CPU, so a run's peak tensor memory can be measured
// (and compared with the estimates made before a run). Installing it is process-wide.
#include <cstdint>

namespace ts {

class MemoryTracker {
public:
    // Installs the counting allocator as LibTorch's CPU allocator (idempotent, thread-safe).
    static void install();
    static bool installed();
    static std::int64_t currentBytes();
    static std::int64_t peakBytes();
    // Starts a new peak measurement from the current level.
    static void resetPeak();
};

// Measures the peak tensor memory of a scope, above what was allocated when it began.
class PeakMemoryScope {
public:
    PeakMemoryScope();
    std::int64_t peakAboveStart() const;

private:
    std::int64_t m_start;
};

// Resident set size of this process, from /proc (0 where unavailable).
std::int64_t residentBytes();
// Physical memory of the machine, and the memory available now: /proc/meminfo's MemAvailable,
// or less when an address-space limit (RLIMIT_AS) leaves less room.
std::int64_t totalMemoryBytes();
std::int64_t availableMemoryBytes();

} // namespace ts
