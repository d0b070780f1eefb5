// keepFreedMemoryForReuse (core/util/allocator_tuning.cpp): with it, a tensor-sized allocation of a
// few MB comes from the heap (no new mapping), and freeing it keeps the pages for the next one.
// Its own process: the settings are process-wide and this test must see glibc's defaults first.
#include "core/util/allocator_tuning.h"

#include <QtTest>

#include <cstdlib>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

class TestAllocatorTuning : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void heapKeepsFreedBlocks();
};

void TestAllocatorTuning::heapKeepsFreedBlocks()
{
#if !defined(__GLIBC__) || defined(__SANITIZE_ADDRESS__)
    // Without glibc's allocator (another C library, or AddressSanitizer's, whose mallopt takes no
    // settings) the call must say that it changed nothing.
    QVERIFY(!ts::keepFreedMemoryForReuse());
#else
    // 24 MB: above any threshold glibc's defaults reach on their own before this test (they map
    // blocks over 128 KiB, raising that to the largest block freed so far, at most 32 MiB).
    constexpr std::size_t blockBytes = 24u << 20;
    QVERIFY2(ts::keepFreedMemoryForReuse(), "mallopt refused the settings");
    const auto mapped = mallinfo2().hblks;
    void* block = std::malloc(blockBytes);
    QVERIFY(block);
    std::memset(block, 1, blockBytes);
    QCOMPARE(mallinfo2().hblks, mapped); // from the heap, not a fresh mapping
    const auto heapBytes = mallinfo2().arena;
    std::free(block);
    QVERIFY2(mallinfo2().arena >= heapBytes, "the heap top was trimmed on free");
#endif
}

QTEST_GUILESS_MAIN(TestAllocatorTuning)
#include "tst_allocator_tuning.moc"
