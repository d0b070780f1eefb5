#pragma once

namespace ts {

// Number of logical cores available to this process (respects the affinity mask).
int availableCores();

// Sets LibTorch's intra-op thread count (the default here is 1) to `threads`, or to all
// available cores when threads <= 0. Call once per process, on the thread that will run models.
void configureThreads(int threads = 0);

// LibTorch's current intra-op thread count.
int torchThreads();

} // namespace ts
