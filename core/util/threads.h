#pragma once

namespace ts {

// Number of logical cores available to this process (respects the affinity mask).
int availableCores();

// Sets LibTorch's intra-op thread count (the default here is 1) to `threads`, or to all
// available cores when threads <= 0. Call once per process, on the thread that will run models.
void configureThreads(int threads = 0);

// LibTorch's current intra-op thread count.
int torchThreads();

// Runs the ops of a scope on the calling thread alone (OpenMP's team size 1 for parallel regions
// this thread starts, OpenBLAS included), restoring the count at the end. For runs of tiny ops
// (ToMe's matching and merging on ~200 tokens): waking the other cores for each costs more than
// it gains, and on a busy machine a sleeping team makes each op wait for a time slice.
class SerialSection {
public:
    SerialSection();
    ~SerialSection();
    SerialSection(const SerialSection&) = delete;
    SerialSection& operator=(const SerialSection&) = delete;

private:
    int m_threads;
};

} // namespace ts
