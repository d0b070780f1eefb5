#pragma once
// A peak-memory estimate made before a run, and the check that refuses a run that would not fit
// with the numbers ("needs about 3.20 GiB ..., limit 2.00 GiB (available memory)"), shared by
// every lab (ToMe, FIT, FAM, masks, measured FLOP runs) and by figure export. Each lab's own
// estimate lives beside its model (e.g. core/fit/fit_memory.h, core/tome/tome_memory.h).
// Torch-free.
#include <cstdint>
#include <string>

namespace ts {

struct MemoryEstimate {
    double parameterBytes = 0;  // weights (and learned tables such as FIT's latents)
    double persistentBytes = 0; // tokens kept for the whole run
    double transientBytes = 0;  // the largest stage's temporaries
    double recordingBytes = 0;  // recorded attention weights (0 unless asked)
    std::string peakStage;      // which stage sets transientBytes
    double totalBytes() const { return parameterBytes + persistentBytes + transientBytes + recordingBytes; }
};

// Throws ts::Error "<what>: needs about X GiB (estimated peak), limit Y GiB (available memory)"
// when the estimate exceeds `limitBytes` (<= 0: the memory available now).
void requireMemory(const MemoryEstimate& estimate, std::int64_t limitBytes, const std::string& what);
// The limit used when none is given: memory available now, less a safety margin.
std::int64_t defaultMemoryLimit();

std::string formatBytes(double bytes); // "45.6 MiB", "1.23 GiB", "2.50 TiB", "5.82e+05 PiB"

} // namespace ts
