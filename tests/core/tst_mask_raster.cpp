// Rasterising a mask region from its row ranges equals the pair-by-pair brute force; receptive
// fields follow TransformerFAM Fig. 1(d) (depth x window, unbounded for FAM); the cost is
// 2 x pairs x width per attention matmul.
#include "core/masks/mask_cost.h"
#include "core/masks/mask_raster.h"
#include "core/masks/mask_spec.h"
#include "core/masks/receptive_field.h"
#include "core/masks/window_masks.h"
#include "core/util/error.h"

#include <QElapsedTimer>
#include <QtTest>

#include <algorithm>
#include <array>
#include <cmath>

using namespace ts;

namespace {

// Length of [a0, a1) ∩ [b0, b1).
double overlap(double a0, double a1, double b0, double b1) { return std::max(0.0, std::min(a1, b1) - std::max(a0, b0)); }

// Per pixel: the area-weighted share of allowed pairs, by asking allowed() for every pair.
struct Brute {
    std::vector<double> fraction;
    std::vector<std::array<double, kKeyKindCount>> byKind;
};

Brute bruteForce(const AttentionMask& mask, const MaskRegion& r, int rows, int cols)
{
    Brute b;
    b.fraction.assign(static_cast<std::size_t>(rows) * cols, 0.0);
    b.byKind.assign(static_cast<std::size_t>(rows) * cols, {});
    const double ph = double(r.height()) / rows, pw = double(r.width()) / cols;
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x)
            for (std::int64_t q = r.q0; q < r.q1; ++q) {
                const double wq = overlap(q, q + 1, r.q0 + y * ph, r.q0 + (y + 1) * ph) / ph;
                if (wq == 0)
                    continue;
                for (std::int64_t k = r.k0; k < r.k1; ++k) {
                    const double wk = overlap(k, k + 1, r.k0 + x * pw, r.k0 + (x + 1) * pw) / pw;
                    KeyKind kind;
                    if (wk > 0 && mask.kindAt(q, k, &kind)) {
                        b.fraction[y * cols + x] += wq * wk;
                        b.byKind[y * cols + x][static_cast<int>(kind)] += wq * wk;
                    }
                }
            }
    return b;
}

MaskSpec specOf(const QString& kind, qint64 length, int a, int b, int c)
{
    MaskSpec s;
    s.kind = kind.toStdString();
    s.length = length;
    s.window = s.block = s.group = a;
    s.memory = s.latents = b;
    s.fam = c;
    return s;
}

} // namespace

class TestMaskRaster : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesBruteForce_data();
    void matchesBruteForce();
    void millionTokensRenderFast();
    void receptiveFieldGrowsByWindow_data();
    void receptiveFieldGrowsByWindow();
    void famReceptiveFieldIsUnbounded();
    void rectangularMaskHasNoReceptiveField();
    void costCountsPairsTimesWidth();
    void badRegionsAreRefused();
};

void TestMaskRaster::matchesBruteForce_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<int>("a");
    QTest::addColumn<int>("b");
    QTest::addColumn<int>("c");
    QTest::addColumn<QList<qint64>>("region"); // empty: whole mask
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");

    using R = QList<qint64>;
    QTest::newRow("causal, shrink 2x") << "causal" << 40LL << 0 << 0 << 0 << R{} << 20 << 20;
    QTest::newRow("swa, uneven shrink") << "swa" << 53LL << 5 << 0 << 0 << R{} << 17 << 13;
    QTest::newRow("bswa, magnify") << "bswa" << 24LL << 4 << 2 << 0 << R{3, 9, 2, 11} << 25 << 31;
    QTest::newRow("fam, whole") << "fam" << 30LL << 4 << 1 << 2 << R{} << 19 << 23;
    QTest::newRow("fam, region") << "fam" << 50LL << 5 << 2 << 3 << R{10, 47, 4, 60} << 16 << 9;
    QTest::newRow("fit-ar") << "fit-ar" << 24LL << 4 << 2 << 0 << R{} << 11 << 7;
    QTest::newRow("fit data read") << "fit-data-read" << 24LL << 4 << 3 << 0 << R{} << 10 << 5;
    QTest::newRow("one pixel") << "bswa" << 30LL << 3 << 1 << 0 << R{} << 1 << 1;
}

void TestMaskRaster::matchesBruteForce()
{
    QFETCH(QString, kind);
    QFETCH(qint64, length);
    QFETCH(int, a);
    QFETCH(int, b);
    QFETCH(int, c);
    QFETCH(QList<qint64>, region);
    QFETCH(int, rows);
    QFETCH(int, cols);
    auto mask = makeMask(specOf(kind, length, a, b, c));
    const MaskRegion r = region.isEmpty() ? fullRegion(*mask) : MaskRegion{region[0], region[1], region[2], region[3]};
    const MaskRaster raster = rasterizeMask(*mask, r, rows, cols);
    const Brute brute = bruteForce(*mask, r, rows, cols);
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * cols + x;
            QVERIFY2(std::abs(raster.at(y, x) - brute.fraction[i]) < 1e-5,
                     qPrintable(QString("pixel %1,%2: %3 vs %4").arg(y).arg(x).arg(raster.at(y, x)).arg(brute.fraction[i])));
            // The reported kind is the one covering most of the pixel (where that is clear-cut).
            auto kinds = brute.byKind[i];
            std::array<double, kKeyKindCount> sorted = kinds;
            std::sort(sorted.rbegin(), sorted.rend());
            if (sorted[0] == 0)
                QCOMPARE(raster.kindAt(y, x), MaskRaster::kNoKind);
            else if (sorted[0] - sorted[1] > 1e-6)
                QCOMPARE(int(raster.kindAt(y, x)), int(std::max_element(kinds.begin(), kinds.end()) - kinds.begin()));
        }
}

void TestMaskRaster::millionTokensRenderFast()
{
    // The benchmark setting: FAM block 64, memory 1, FAM 8 over 1,000,000 tokens at 1024 pixels.
    auto mask = makeMask(specOf("fam", 1'000'000, 64, 1, 8));
    QElapsedTimer timer;
    timer.start();
    const MaskRaster raster = rasterizeMask(*mask, fullRegion(*mask), 1024, 1024);
    const qint64 ms = timer.elapsed();
    qInfo("1M-token FAM mask at 1024 px: %lld ms", ms);
    // The band hugs the diagonal: each pixel spans ~1100 positions, the window ~136 keys.
    double total = 0;
    for (float f : raster.fraction)
        total += f;
    const double pixelArea = double(mask->queries()) / 1024 * double(mask->keys()) / 1024;
    QVERIFY(std::abs(total * pixelArea - double(mask->allowedPairs())) / double(mask->allowedPairs()) < 1e-4);
    QVERIFY2(ms < 5000, "far slower than the one-second target even on a loaded machine");
}

void TestMaskRaster::receptiveFieldGrowsByWindow_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("a");
    QTest::addColumn<int>("b");
    QTest::addColumn<int>("depth");
    QTest::addColumn<qint64>("earliest");
    // SWA: w - 1 further positions per layer.
    QTest::newRow("swa w3 d1") << "swa" << 3 << 0 << 1 << 97LL;
    QTest::newRow("swa w3 d4") << "swa" << 3 << 0 << 4 << 91LL;
    // Fig. 1(d): BSWA block 2, memory 1, depth 4; query 99 in block 49 reaches block 45.
    QTest::newRow("bswa b2 s1 d4") << "bswa" << 2 << 1 << 4 << 90LL;
    QTest::newRow("bswa b2 s2 d3") << "bswa" << 2 << 2 << 3 << 86LL;
    QTest::newRow("bswa b10 s3 d40") << "bswa" << 10 << 3 << 40 << 0LL;
    QTest::newRow("causal d1") << "causal" << 0 << 0 << 1 << 0LL;
}

void TestMaskRaster::receptiveFieldGrowsByWindow()
{
    QFETCH(QString, kind);
    QFETCH(int, a);
    QFETCH(int, b);
    QFETCH(int, depth);
    QFETCH(qint64, earliest);
    auto mask = makeMask(specOf(kind, 100, a, b, 0));
    const ReceptiveField f = receptiveField(*mask, 99, depth);
    QCOMPARE(f.earliest, earliest);
    QCOMPARE(f.reachedCount, 99 - earliest + 1); // contiguous for these masks
    QVERIFY(!f.unbounded);
}

void TestMaskRaster::famReceptiveFieldIsUnbounded()
{
    MaskSpec s = specOf("fam", 1000, 10, 1, 2);
    auto mask = makeMask(s);
    const std::int64_t last = mask->queries() - 3; // a data token of the last block
    const ReceptiveField f = receptiveField(*mask, last, 1);
    QVERIFY(f.unbounded);
    QCOMPARE(f.earliest, 0);
    QVERIFY(f.note.find("unbounded") != std::string::npos);
    // The same sizes without FAM stop at depth x window.
    s.kind = "bswa";
    auto bswa = makeMask(s);
    QCOMPARE(receptiveField(*bswa, 999, 1).earliest, 980);
}

void TestMaskRaster::rectangularMaskHasNoReceptiveField()
{
    auto mask = makeMask(specOf("fit-latent-read", 64, 8, 2, 0));
    QVERIFY_THROWS_EXCEPTION(Error, receptiveField(*mask, 0, 1));
}

void TestMaskRaster::costCountsPairsTimesWidth()
{
    CausalMask causal(1000);
    const MaskCost c = maskCost(causal, 384);
    QCOMPARE(c.allowedPairs, 500500);
    QCOMPARE(c.qkFlops, 2.0 * 500500 * 384);
    QCOMPARE(c.avFlops, c.qkFlops);
    QCOMPARE(c.shareOfDense, 0.5005);
    // FAM pays its extra memory rows against dense attention over the data tokens.
    auto fam = makeMask(specOf("fam", 4096, 64, 1, 8));
    const MaskCost f = maskCost(*fam, 384);
    QCOMPARE(f.densePairs, 4096LL * 4096);
    QCOMPARE(f.allowedPairs, fam->allowedPairs());
    QVERIFY(f.shareOfDense < 0.05);
    QVERIFY_THROWS_EXCEPTION(Error, maskCost(causal, 0));
}

void TestMaskRaster::badRegionsAreRefused()
{
    CausalMask mask(100);
    QVERIFY_THROWS_EXCEPTION(Error, rasterizeMask(mask, {0, 101, 0, 100}, 10, 10));
    QVERIFY_THROWS_EXCEPTION(Error, rasterizeMask(mask, {5, 5, 0, 100}, 10, 10));
    QVERIFY_THROWS_EXCEPTION(Error, rasterizeMask(mask, {0, 100, 0, 100}, 0, 10));
    QVERIFY_THROWS_EXCEPTION(Error, rasterizeMask(mask, {0, 100, 0, 100}, 10, 20000));
}

QTEST_GUILESS_MAIN(TestMaskRaster)
#include "tst_mask_raster.moc"
