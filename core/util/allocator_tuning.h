#pragma once

namespace ts {

// Keeps freed heap memory for reuse instead of returning it to the system at once. A forward
// pass allocates and frees tensors of 0.1-10 MB in every block; with glibc's defaults many of
// them are mmapped, or trimmed from the heap top, and come back as fresh pages that fault on
// first touch (~5 % of a ViT-S/16 batch-1 pass here, 1.2-1.5 ms). Allocations of 64 MiB and
// more are still mapped and unmapped, so large runs give their memory back; up to 256 MiB of
// free heap is kept. Call once at start-up, before the first tensor. Returns whether the C
// library took the settings (false where it is not glibc).
bool keepFreedMemoryForReuse();

} // namespace ts
