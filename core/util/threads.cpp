#include "core/util/threads.h"

#include <ATen/Parallel.h>
#include <omp.h>
#include <sched.h>
#include <thread>

namespace ts {

int availableCores()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n > 0)
            return n;
    }
    const unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? static_cast<int>(hw) : 1;
}

void configureThreads(int threads)
{
    at::set_num_threads(threads > 0 ? threads : availableCores());
}

int torchThreads() { return at::get_num_threads(); }

// omp_set_num_threads changes only this thread's setting (an OpenMP per-task ICV), which is what
// ATen's parallel_for and OpenBLAS read; at::set_num_threads would also resize global pools.
SerialSection::SerialSection() : m_threads(omp_get_max_threads()) { omp_set_num_threads(1); }

SerialSection::~SerialSection() { omp_set_num_threads(m_threads); }

} // namespace ts
