#include "core/util/memory_tracker.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <new>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <unordered_map>

namespace ts {
namespace {

std::atomic<std::int64_t> g_current{0};
std::atomic<std::int64_t> g_peak{0};

// The context of each allocation is its data pointer (so raw_allocate stays valid); sizes live
// in a side table guarded by a mutex. Allocation counts per forward pass are small.
std::mutex g_mutex;
std::unordered_map<void*, std::size_t>& sizes()
{
    static auto* table = new std::unordered_map<void*, std::size_t>();
    return *table;
}

void noteAllocation(std::int64_t bytes)
{
    const std::int64_t now = g_current.fetch_add(bytes) + bytes;
    std::int64_t peak = g_peak.load();
    while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
    }
}

void countingDelete(void* ptr)
{
    if (!ptr)
        return;
    std::size_t bytes = 0;
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        auto it = sizes().find(ptr);
        if (it != sizes().end()) {
            bytes = it->second;
            sizes().erase(it);
        }
    }
    g_current.fetch_sub(static_cast<std::int64_t>(bytes));
    std::free(ptr);
}

struct CountingAllocator final : c10::Allocator {
    c10::DataPtr allocate(size_t n) const override
    {
        void* data = nullptr;
        if (n > 0) {
            // 64-byte alignment, as LibTorch's default CPU allocator uses.
            if (posix_memalign(&data, 64, n) != 0 || !data)
                throw std::bad_alloc();
            {
                std::lock_guard<std::mutex> lock(g_mutex);
                sizes()[data] = n;
            }
            noteAllocation(static_cast<std::int64_t>(n));
        }
        return {data, data, &countingDelete, c10::Device(c10::DeviceType::CPU)};
    }
    c10::DeleterFnPtr raw_deleter() const override { return &countingDelete; }
};

std::once_flag g_installOnce;
std::atomic<bool> g_installed{false};

std::int64_t meminfoField(const char* key)
{
    std::ifstream in("/proc/meminfo");
    std::string name;
    std::int64_t value = 0;
    std::string unit;
    while (in >> name >> value >> unit) {
        if (name == key)
            return value * 1024;
    }
    return 0;
}

} // namespace

void MemoryTracker::install()
{
    std::call_once(g_installOnce, [] {
        static CountingAllocator allocator;
        // Priority above the default registration so it replaces it for all later tensors.
        c10::SetCPUAllocator(&allocator, /*priority=*/10);
        g_installed = true;
    });
}

bool MemoryTracker::installed() { return g_installed; }
std::int64_t MemoryTracker::currentBytes() { return g_current.load(); }
std::int64_t MemoryTracker::peakBytes() { return g_peak.load(); }
void MemoryTracker::resetPeak() { g_peak.store(g_current.load()); }

PeakMemoryScope::PeakMemoryScope()
{
    MemoryTracker::install();
    MemoryTracker::resetPeak();
    m_start = MemoryTracker::currentBytes();
}

std::int64_t PeakMemoryScope::peakAboveStart() const { return MemoryTracker::peakBytes() - m_start; }

std::int64_t residentBytes()
{
    std::ifstream in("/proc/self/statm");
    std::int64_t size = 0, resident = 0;
    if (!(in >> size >> resident))
        return 0;
    return resident * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
}

std::int64_t totalMemoryBytes() { return meminfoField("MemTotal:"); }

std::int64_t availableMemoryBytes()
{
    std::int64_t available = meminfoField("MemAvailable:");
    // An address-space limit (ulimit -v, RLIMIT_AS) binds before the machine's memory does:
    // what is left of it is the limit less the address space mapped now.
    rlimit limit{};
    if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        std::ifstream in("/proc/self/statm");
        std::int64_t pages = 0;
        if (in >> pages) {
            const std::int64_t mapped = pages * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
            const std::int64_t left = std::max<std::int64_t>(static_cast<std::int64_t>(limit.rlim_cur) - mapped, 1);
            available = available > 0 ? std::min(available, left) : left;
        }
    }
    return available;
}

} // namespace ts
