// The ToMe memory estimate bounds what a run really allocates (measured by the counting
// allocator), and a batch or input size that cannot fit is refused with numbers before any
// tensor is made.
#include "core/io/image_io.h"
#include "core/tome/tome_api.h"
#include "core/tome/tome_memory.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"
#include "core/vit/vit_config.h"
#include "tests/common/test_paths.h"

#include <QtTest>

using namespace ts;

class TestTomeMemory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void estimateBoundsMeasuredPeak_data();
    void estimateBoundsMeasuredPeak();
    void estimateGrowsAsTheShapeSays();
    void oversizedRequestsRefusedWithNumbers();
    void runRefusesBeforeAllocating();

private:
    cv::Mat m_image;
};

void TestTomeMemory::initTestCase()
{
    MemoryTracker::install();
    m_image = loadImage(test::sampleImage("chelsea.png").toStdString()).rgb;
}

void TestTomeMemory::estimateBoundsMeasuredPeak_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("batch");
    QTest::addColumn<bool>("record");
    QTest::newRow("224, batch 1, recording") << 224 << 1 << true;
    QTest::newRow("224, batch 4") << 224 << 4 << false;
    QTest::newRow("384, batch 2, recording") << 384 << 2 << true;
    QTest::newRow("640, batch 1, recording (1601 tokens)") << 640 << 1 << true;
}

void TestTomeMemory::estimateBoundsMeasuredPeak()
{
    QFETCH(int, size);
    QFETCH(int, batch);
    QFETCH(bool, record);
    ModelSource source;
    source.preset = "vit-ti16";
    source.imageSize = size;
    source.seed = 1;
    ToMeRequest request;
    request.model = buildVit(source);
    request.imageRgb = m_image;
    request.schedule = ToMeSchedule::constant(8);
    request.batch = batch;
    request.recordSources = record;
    runToMe(request); // the warm-up pass happens once per model; measure a steady run
    PeakMemoryScope scope;
    runToMe(request);
    const double measured = double(scope.peakAboveStart());
    VitConfig config = vitPreset("vit-ti16");
    config.imageSize = size;
    const double estimate = estimateToMeMemoryBytes(config, batch, record);
    qInfo("%s: measured peak %.2f MiB, estimate %.2f MiB", QTest::currentDataTag(), measured / (1 << 20), estimate / (1 << 20));
    QVERIFY(measured > 0);
    QVERIFY2(estimate >= measured, "the estimate must not be below what the run allocates");
    QVERIFY2(estimate <= 3 * measured, "the estimate should stay within 3x of the measured peak");
}

void TestTomeMemory::estimateGrowsAsTheShapeSays()
{
    VitConfig config = vitPreset("vit-s16");
    const double one = estimateToMeMemoryBytes(config, 1, false);
    QCOMPARE(estimateToMeMemoryBytes(config, 8, false), 8 * one); // every term is per item
    // 4x the tokens. The fused attention holds no N x N logits and the sources are recorded as
    // one token index per patch and layer, so with or without recording every term grows with
    // the tokens (4x), and recording adds little.
    const double recordOne = estimateToMeMemoryBytes(config, 1, true);
    QVERIFY(recordOne > one);
    config.imageSize = 448;
    const double ratio = estimateToMeMemoryBytes(config, 1, false) / one;
    QVERIFY2(ratio > 3.5 && ratio < 4.5, qPrintable(QString::number(ratio)));
    const double recordRatio = estimateToMeMemoryBytes(config, 1, true) / recordOne;
    QVERIFY2(recordRatio > 3.5 && recordRatio < 4.5, qPrintable(QString::number(recordRatio)));
    // ViT-S/16 at 2048 px (16,385 tokens) with sources recorded, as `tokenscope merge --size 2048`
    // runs it: well under 2 GiB (a dense [N, N0] source per layer needed 13 GiB).
    config.imageSize = 2048;
    const double large = estimateToMeMemoryBytes(config, 1, true);
    QVERIFY2(large < 2.0 * (1 << 30), qPrintable(QString::number(large / (1 << 30)) + " GiB"));
    QVERIFY(large - estimateToMeMemoryBytes(config, 1, false) < 16.0 * (1 << 20));
}

void TestTomeMemory::oversizedRequestsRefusedWithNumbers()
{
    VitConfig config = vitPreset("vit-l16");
    config.imageSize = 2048; // 16385 tokens: 16 heads of 16385^2 logits are ~17 GiB per item
    try {
        requireToMeMemory(config, 256, true);
        QFAIL("no error");
    } catch (const Error& e) {
        const QString m = e.what();
        QVERIFY2(m.startsWith("ToMe: batch 256 at 16385 tokens (2048 px) needs ~") && m.contains("GiB") && m.contains("available"),
                 e.what());
    }
    // An explicit limit: what fits passes, one byte less is refused.
    const VitConfig small = vitPreset("vit-ti16");
    const auto needed = static_cast<std::int64_t>(estimateToMeMemoryBytes(small, 2, false)) + 1;
    requireToMeMemory(small, 2, false, needed);
    QVERIFY_THROWS_EXCEPTION(Error, requireToMeMemory(small, 2, false, needed - 2));
}

void TestTomeMemory::runRefusesBeforeAllocating()
{
    ModelSource source;
    source.preset = "vit-ti16";
    source.imageSize = 4096; // 65537 tokens
    ToMeRequest request;
    request.model = buildVit(source);
    request.imageRgb = m_image;
    request.batch = 256;
    PeakMemoryScope scope;
    try {
        runToMe(request);
        QFAIL("no error");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("needs ~"), e.what());
    }
    QVERIFY(scope.peakAboveStart() < (64 << 20)); // refused before the batch was made
}

QTEST_GUILESS_MAIN(TestTomeMemory)
#include "tst_tome_memory.moc"
