// FIT's memory: the estimate made before a run is within 25% of the measured peak (counting
// allocator), peak memory grows linearly with the tokens, and runs that cannot fit are refused
// with the estimate and the limit instead of being attempted.
#include "core/fit/fit_api.h"
#include "core/fit/full_attention_baseline.h"
#include "core/util/error.h"

#include <QtTest>

using namespace ts;

class TestFitMemory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void estimateMatchesMeasuredPeak_data();
    void estimateMatchesMeasuredPeak();
    void fullAttentionEstimateMatchesMeasuredPeak();
    void peakGrowsLinearly();
    void impossibleRunsAreRefused();
    void progressAndCancel();
};

namespace {

FitRequest request(int size, int width, int heads, int g, int m, const std::string& pattern, int chunk)
{
    FitRequest r;
    r.size = size;
    r.config.dataWidth = r.config.latentWidth = width;
    r.config.heads = r.config.latentHeads = heads;
    r.config.groupSize = g;
    r.config.latentsPerGroup = m;
    r.config.pattern = pattern;
    r.chunkTokens = chunk;
    return r;
}

} // namespace

void TestFitMemory::estimateMatchesMeasuredPeak_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("g");
    QTest::addColumn<int>("m");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<int>("chunk");
    QTest::addColumn<bool>("record");
    QTest::addColumn<bool>("ar");
    // small: 256 tokens; medium: 4096 tokens at ViT-S width with several chunks.
    QTest::newRow("small") << 256 << 192 << 4 << 4 << "L(2)G(1)L(2)G(1)" << 8192 << false << false;
    QTest::newRow("small padded, recording") << 240 << 192 << 4 << 8 << "L(1)G(2)L(1)" << 64 << true << false;
    QTest::newRow("medium ViT-S width") << 1024 << 384 << 8 << 4 << "L(2)G(1)L(2)G(1)" << 1024 << false << false;
    QTest::newRow("medium, many latents") << 1024 << 384 << 8 << 32 << "L(1)G(2)L(1)" << 2048 << false << false;
    QTest::newRow("medium FIT-AR") << 768 << 384 << 8 << 8 << "L(1)G(1)L(1)G(1)" << 2048 << false << true;
}

void TestFitMemory::estimateMatchesMeasuredPeak()
{
    QFETCH(int, size);
    QFETCH(int, width);
    QFETCH(int, g);
    QFETCH(int, m);
    QFETCH(QString, pattern);
    QFETCH(int, chunk);
    QFETCH(bool, record);
    QFETCH(bool, ar);
    FitRequest r = request(size, width, width / 64, g, m, pattern.toStdString(), chunk);
    r.config.autoregressive = ar;
    r.record.enabled = record;
    const FitResult result = runFit(r);
    const double ratio = double(result.estimatedMemoryBytes) / double(result.peakMemoryBytes);
    qInfo("%s: estimated %s, measured %s (ratio %.3f, peak stage %s)", QTest::currentDataTag(),
          formatBytes(double(result.estimatedMemoryBytes)).c_str(), formatBytes(double(result.peakMemoryBytes)).c_str(),
          ratio, result.peakStage.c_str());
    QVERIFY2(ratio > 0.75 && ratio < 1.25, qPrintable(QString("estimate / measured = %1").arg(ratio)));
}

void TestFitMemory::fullAttentionEstimateMatchesMeasuredPeak()
{
    FullAttentionRequest r;
    r.size = 512; // 1024 tokens
    r.depth = 2;
    const FullAttentionResult result = runFullAttentionVit(r);
    const double ratio = double(result.estimatedMemoryBytes) / double(result.peakMemoryBytes);
    qInfo("full attention 1024 tokens: estimated %s, measured %s", formatBytes(double(result.estimatedMemoryBytes)).c_str(),
          formatBytes(double(result.peakMemoryBytes)).c_str());
    QVERIFY2(ratio > 0.75 && ratio < 1.25, qPrintable(QString("estimate / measured = %1").arg(ratio)));
}

// Peak memory is linear in the tokens: with a fixed chunk, each extra token costs the same
// (its c floats of x, a share of the latents), so the increments per token agree; full
// attention's would grow with L.
void TestFitMemory::peakGrowsLinearly()
{
    std::vector<double> peaks, tokens;
    for (int size : {512, 1024, 1536}) { // 1024, 4096, 9216 tokens
        const FitResult r = runFit(request(size, 192, 3, 8, 2, "L(1)G(1)L(1)", 1024));
        peaks.push_back(double(r.peakMemoryBytes));
        tokens.push_back(double(r.grouping.patches()));
    }
    const double first = (peaks[1] - peaks[0]) / (tokens[1] - tokens[0]);
    const double second = (peaks[2] - peaks[1]) / (tokens[2] - tokens[1]);
    qInfo("peaks %s, %s, %s: %.0f then %.0f bytes per extra token", formatBytes(peaks[0]).c_str(), formatBytes(peaks[1]).c_str(),
          formatBytes(peaks[2]).c_str(), first, second);
    QVERIFY(first > 0);
    QVERIFY2(second / first > 0.75 && second / first < 1.25, "bytes per extra token are not constant");
}

void TestFitMemory::impossibleRunsAreRefused()
{
    // Full attention at 160K tokens needs about 1.2 TB for one layer's weights alone.
    FullAttentionRequest full;
    full.size = 6400;
    const MemoryEstimate e = estimateFullAttentionRun(full);
    QVERIFY(e.totalBytes() > 1e12);
    try {
        runFullAttentionVit(full);
        QFAIL("full attention at 160K tokens was attempted");
    } catch (const Error& error) {
        const QString message = error.what();
        QVERIFY2(message.contains("needs about") && message.contains("limit"), error.what());
    }
    // FIT with a limit below its estimate is refused before anything runs.
    FitRequest r = request(512, 192, 3, 8, 2, "L(1)G(1)L(1)", 2048);
    r.memoryLimitBytes = 1 << 20;
    try {
        runFit(r);
        QFAIL("a run over the limit was attempted");
    } catch (const Error& error) {
        QVERIFY2(QString(error.what()).contains("limit 1.0 MiB"), error.what());
    }
    // And FIT at 160K tokens is estimated well under 8 GiB.
    FitRequest big = request(6400, 384, 6, 8, 4, "L(4)G(2)L(4)G(2)", 8192);
    QVERIFY(estimateFitRun(big).totalBytes() < 8.0 * (1 << 30));
}

void TestFitMemory::progressAndCancel()
{
    FitRequest r = request(512, 192, 3, 4, 2, "L(2)G(1)L(2)", 256);
    int calls = 0, lastDone = 0, lastTotal = 0;
    bool cancel = false;
    RunControl control{[&](int done, int total, const std::string&) {
                           ++calls;
                           QVERIFY(done > lastDone || total != lastTotal);
                           lastDone = done;
                           lastTotal = total;
                           if (done == 10)
                               cancel = true;
                       },
                       [&] { return cancel; }};
    QVERIFY_THROWS_EXCEPTION(Cancelled, runFit(r, control));
    QCOMPARE(lastDone, 10); // stopped at the next check

    cancel = false;
    calls = lastDone = 0;
    RunControl count{[&](int done, int total, const std::string&) {
                         ++calls;
                         lastDone = done;
                         lastTotal = total;
                     },
                     {}};
    runFit(r, count);
    QCOMPARE(lastDone, lastTotal);
    QVERIFY(calls > 20); // 1024 tokens in chunks of 256: per layer and chunk
}

QTEST_GUILESS_MAIN(TestFitMemory)
#include "tst_fit_memory.moc"
