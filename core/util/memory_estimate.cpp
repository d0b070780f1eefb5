#include "core/util/memory_estimate.h"

#include "core/util/error.h"
#include "core/util/memory_tracker.h"

#include <algorithm>
#include <cstdio>

namespace ts {

std::int64_t defaultMemoryLimit()
{
    // Keep some headroom for the process itself (code, image, allocator slack).
    const std::int64_t available = availableMemoryBytes();
    return available > 0 ? available - std::min<std::int64_t>(available / 10, std::int64_t(1) << 30) : 0;
}

void requireMemory(const MemoryEstimate& estimate, std::int64_t limitBytes, const std::string& what)
{
    const bool useAvailable = limitBytes <= 0;
    const std::int64_t limit = useAvailable ? defaultMemoryLimit() : limitBytes;
    if (limit <= 0)
        return; // no way to know; let the run try
    if (estimate.totalBytes() > static_cast<double>(limit))
        throw Error(what + ": needs about " + formatBytes(estimate.totalBytes()) + " (estimated peak, "
                    + estimate.peakStage + "), limit " + formatBytes(static_cast<double>(limit))
                    + (useAvailable ? " (available memory)" : ""));
}

std::string formatBytes(double bytes)
{
    char text[64];
    const double tib = 1024.0 * 1024 * 1024 * 1024;
    if (bytes >= 1024 * tib)
        std::snprintf(text, sizeof text, "%.3g PiB", bytes / (1024 * tib)); // %g: never a 300-digit number
    else if (bytes >= tib)
        std::snprintf(text, sizeof text, "%.2f TiB", bytes / tib);
    else if (bytes >= 1024.0 * 1024 * 1024)
        std::snprintf(text, sizeof text, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    else if (bytes >= 1024.0 * 1024)
        std::snprintf(text, sizeof text, "%.1f MiB", bytes / (1024.0 * 1024));
    else
        std::snprintf(text, sizeof text, "%.0f KiB", bytes / 1024.0);
    return text;
}

} // namespace ts
