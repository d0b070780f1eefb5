#include "core/util/allocator_tuning.h"

// <cstdlib> first: it brings in the C library's feature macros; without a system header before
// the test below, __GLIBC__ is not yet defined and the tuning compiles to nothing.
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ts {

bool keepFreedMemoryForReuse()
{
#if defined(__GLIBC__)
    const bool mmapSet = mallopt(M_MMAP_THRESHOLD, 64 << 20) == 1;
    const bool trimSet = mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;
    return mmapSet && trimSet;
#else
    return false;
#endif
}

} // namespace ts
