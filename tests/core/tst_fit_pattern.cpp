// FIT's torch-free pieces: the layer-pattern parser (three notations, errors with columns), the
// configuration checks, the grouping of a patch grid into g x g windows, and the mask rules.
#include "core/fit/fit_config.h"
#include "core/fit/fit_attention_rules.h"
#include "core/fit/grouping.h"
#include "core/fit/layer_pattern.h"
#include "core/util/error.h"

#include <QtTest>

#include <numeric>

using namespace ts;

class TestFitPattern : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesGood_data();
    void parsesGood();
    void rejectsBad_data();
    void rejectsBad();
    void stepsSkipTheLastWrite();
    void configChecks_data();
    void configChecks();
    void groupingLayout();
    void groupingRoundTrip_data();
    void groupingRoundTrip();
    void groupLargerThanImage();
    void maskRules();
    void combinedMaskCounts_data();
    void combinedMaskCounts();
};

void TestFitPattern::parsesGood_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("seed notation") << "L(8)G(2)L(8)G(2)" << "L(8)G(2)L(8)G(2)";
    QTest::newRow("compact") << "L2G1L2G1" << "L(2)G(1)L(2)G(1)";
    QTest::newRow("official") << "(8)2(8)2" << "L(8)G(2)L(8)G(2)";
    QTest::newRow("official trailing local block") << "(2)4(2)" << "L(2)G(4)L(2)";
    QTest::newRow("lower case, spaces") << " l(3) g(1) l1 " << "L(3)G(1)L(1)";
    QTest::newRow("local only") << "L(12)" << "L(12)";
    QTest::newRow("global only") << "G(3)" << "L(0)G(3)";
    QTest::newRow("mixed") << "(4)2L4G(2)" << "L(4)G(2)L(4)G(2)";
    QTest::newRow("multi-digit") << "L10G12" << "L(10)G(12)";
}

void TestFitPattern::parsesGood()
{
    QFETCH(QString, text);
    QFETCH(QString, canonical);
    const LayerPattern p = parseLayerPattern(text.toStdString());
    QCOMPARE(QString::fromStdString(p.text()), canonical);
    QCOMPARE(QString::fromStdString(parseLayerPattern(p.text()).text()), canonical); // canonical text re-parses
}

void TestFitPattern::rejectsBad_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected"); // part of the message
    QTest::newRow("empty") << "" << "empty pattern";
    QTest::newRow("bad letter") << "L(8)X(2)" << "column 5: expected L, G or '(', got 'X'";
    QTest::newRow("unclosed") << "L(8G2" << "column 4: expected ')', got 'G'";
    QTest::newRow("missing count") << "L()G2" << "column 3: expected a number, got ')'";
    QTest::newRow("count at end") << "L8G" << "column 4: expected a layer count";
    QTest::newRow("two local runs") << "L8L8" << "column 3: only the last block may have no global layers";
    QTest::newRow("official zero global mid") << "(8)0(8)" << "column 5: only the last block";
    QTest::newRow("bare number") << "8(2)" << "column 1: expected L, G or '('";
    QTest::newRow("all zero") << "L0" << "no layers";
    QTest::newRow("huge count") << "L(99999)G1" << "column 3: layer count above 1000";
    QTest::newRow("negative") << "L(-1)G1" << "column 3: expected a number, got '-'";
}

void TestFitPattern::rejectsBad()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    try {
        parseLayerPattern(text.toStdString());
        QFAIL("accepted a bad pattern");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains(expected), e.what());
        QVERIFY(!QString(e.what()).contains('\n'));
    }
}

void TestFitPattern::stepsSkipTheLastWrite()
{
    const LayerPattern p = parseLayerPattern("L(2)G(1)L(1)G(2)");
    std::vector<std::string> names;
    for (FitLayerKind k : p.steps())
        names.push_back(fitLayerKindName(k));
    const std::vector<std::string> expected = {"local", "local", "read", "global", "write", "local", "read", "global", "global"};
    QCOMPARE(names, expected);
    QVERIFY(p.hasWrite(0));
    QVERIFY(!p.hasWrite(1));
    QCOMPARE(p.localLayers(), 3);
    QCOMPARE(p.globalLayers(), 3);
}

void TestFitPattern::configChecks_data()
{
    QTest::addColumn<int>("field");
    QTest::addColumn<int>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("zero latents") << 0 << 0 << "latents per group must be between 1";
    QTest::newRow("zero group") << 1 << 0 << "group size must be between 1";
    QTest::newRow("width vs heads") << 2 << 100 << "data width 100 is not a multiple of heads 6";
    QTest::newRow("latent width vs heads") << 3 << 250 << "latent width 250 is not a multiple of latent heads 6";
}

void TestFitPattern::configChecks()
{
    QFETCH(int, field);
    QFETCH(int, value);
    QFETCH(QString, expected);
    FitConfig c;
    c.validate(); // the defaults are valid
    int* fields[] = {&c.latentsPerGroup, &c.groupSize, &c.dataWidth, &c.latentWidth};
    *fields[field] = value;
    try {
        c.validate();
        QFAIL("accepted a bad configuration");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains(expected), e.what());
    }
}

// Hand-worked 4 x 6 grid, g = 2: groups row-major, patches raster inside each window.
void TestFitPattern::groupingLayout()
{
    const Grouping g(4, 6, 2);
    QCOMPARE(g.groups(), 6);
    QCOMPARE(g.tokensPerGroup(), 4);
    QVERIFY(!g.padded());
    // Group 0 holds patches 0, 1, 6, 7; group 1 holds 2, 3, 8, 9; group 3 starts at row 2: 12, 13, 18, 19.
    const int expected[] = {0, 1, 6, 7, 2, 3, 8, 9};
    for (int s = 0; s < 8; ++s)
        QCOMPARE(g.patchOfSlot(s), expected[s]);
    QCOMPARE(g.patchOfSlot(12), 12);
    QCOMPARE(g.patchOfSlot(15), 19);
    QCOMPARE(g.groupOfPatch(23), 5);

    const Grouping padded(5, 5, 2); // padded to 6 x 6: 9 groups, 11 padding slots
    QCOMPARE(padded.groups(), 9);
    QCOMPARE(padded.paddingSlots(), 11);
    QCOMPARE(padded.patchOfSlot(4 * 2 + 1), -1);  // group 2 = columns 4-5, column 5 is padding
    QCOMPARE(padded.realTokens(8), 1);           // the corner group holds patch 24 only
    QCOMPARE(padded.patchOfSlot(8 * 4), 24);
}

void TestFitPattern::groupingRoundTrip_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<int>("g");
    QTest::newRow("divisible 8x8 g4") << 8 << 8 << 4;
    QTest::newRow("divisible 6x9 g3") << 6 << 9 << 3;
    QTest::newRow("not divisible 7x10 g4") << 7 << 10 << 4;
    QTest::newRow("not divisible 14x14 g8") << 14 << 14 << 8;
    QTest::newRow("g = 1") << 3 << 5 << 1;
    QTest::newRow("one group") << 5 << 5 << 5;
}

void TestFitPattern::groupingRoundTrip()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(int, g);
    const Grouping grouping(rows, cols, g);
    const int width = 3;
    std::vector<float> values(static_cast<std::size_t>(rows * cols * width));
    std::iota(values.begin(), values.end(), 0.0f);
    const std::vector<float> grouped = grouping.group(values, width, -1.0f);
    QCOMPARE(grouped.size(), std::size_t(grouping.groups() * grouping.tokensPerGroup() * width));
    QCOMPARE(static_cast<int>(std::count(grouped.begin(), grouped.end(), -1.0f)), grouping.paddingSlots() * width);
    QCOMPARE(grouping.ungroup(grouped, width), values);
    // Every patch lies in exactly one slot, inside its group's window.
    std::vector<int> seen(static_cast<std::size_t>(rows * cols), 0);
    for (int s = 0; s < grouping.groups() * grouping.tokensPerGroup(); ++s) {
        const int p = grouping.patchOfSlot(s);
        if (p < 0)
            continue;
        ++seen[static_cast<std::size_t>(p)];
        QCOMPARE(grouping.slotOfPatch(p), s);
        int r0, c0, h, w;
        grouping.groupRect(s / grouping.tokensPerGroup(), &r0, &c0, &h, &w);
        QVERIFY(p / cols >= r0 && p / cols < r0 + h && p % cols >= c0 && p % cols < c0 + w);
    }
    QVERIFY(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
}

void TestFitPattern::groupLargerThanImage()
{
    QVERIFY_THROWS_EXCEPTION(Error, Grouping(6, 10, 8));
    QVERIFY_THROWS_EXCEPTION(Error, Grouping(6, 6, 0));
}

void TestFitPattern::maskRules()
{
    const FitMaskSpec plain{3, 4, 2, false};
    const FitMaskSpec ar{3, 4, 2, true};
    // Local: same group only; AR adds raster causality inside the group.
    QVERIFY(fitAllowed(plain, FitMaskStage::Local, 5, 7));
    QVERIFY(!fitAllowed(ar, FitMaskStage::Local, 5, 7));
    QVERIFY(fitAllowed(ar, FitMaskStage::Local, 7, 4));
    QVERIFY(!fitAllowed(plain, FitMaskStage::Local, 3, 4));
    // Read: latent 3 (group 1) sees data 4..7 only.
    QVERIFY(fitAllowed(plain, FitMaskStage::Read, 3, 4));
    QVERIFY(!fitAllowed(plain, FitMaskStage::Read, 3, 8));
    // Global: all, or key group <= query group.
    QVERIFY(fitAllowed(plain, FitMaskStage::Global, 0, 5));
    QVERIFY(!fitAllowed(ar, FitMaskStage::Global, 0, 2));
    QVERIFY(fitAllowed(ar, FitMaskStage::Global, 3, 2)); // same group: full
    QVERIFY(fitAllowed(ar, FitMaskStage::Global, 5, 0));
    // Write: own group; AR: previous group, none for group 0.
    QVERIFY(fitAllowed(plain, FitMaskStage::Write, 4, 2));
    QVERIFY(!fitAllowed(ar, FitMaskStage::Write, 4, 2));
    QVERIFY(fitAllowed(ar, FitMaskStage::Write, 4, 1));
    for (int k = 0; k < 6; ++k)
        QVERIFY(!fitAllowed(ar, FitMaskStage::Write, 0, k));
    QVERIFY(!fitAllowed(plain, FitMaskStage::Write, 12, 0)); // out of range
}

void TestFitPattern::combinedMaskCounts_data()
{
    QTest::addColumn<bool>("autoregressive");
    QTest::addColumn<int>("expected");
    // t = 3, n = 4, m = 2. Plain: local 3*16 + read 3*8 + global 36 + write 3*8 = 132.
    QTest::newRow("FIT") << false << 132;
    // AR: local 3*10 + read 24 + global (2*2 + 4*2 + 6*2 = 24) + write (groups 1, 2: 2*4*2 = 16) = 94.
    QTest::newRow("FIT-AR") << true << 94;
}

void TestFitPattern::combinedMaskCounts()
{
    QFETCH(bool, autoregressive);
    QFETCH(int, expected);
    const FitMaskSpec spec{3, 4, 2, autoregressive};
    QCOMPARE(fitCombinedSize(spec), std::int64_t(18));
    int allowed = 0;
    for (int q = 0; q < 18; ++q)
        for (int k = 0; k < 18; ++k)
            allowed += fitCombinedAllowed(spec, q, k);
    QCOMPARE(allowed, expected);
}

QTEST_GUILESS_MAIN(TestFitPattern)
#include "tst_fit_pattern.moc"
