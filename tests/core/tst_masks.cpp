// The mask generators against small masks drawn by hand from the TransformerFAM figures
// (Hwang et al. 2024, Fig. 1 and 2b), the FIT model's own rules, exact pair counts against the
// row sums for long sequences, and the size checks.
#include "core/masks/fam_mask.h"
#include "core/masks/fit_mask_rows.h"
#include "core/masks/mask_spec.h"
#include "core/masks/tome_mask.h"
#include "core/masks/window_masks.h"
#include "core/util/error.h"

#include <QtTest>

using namespace ts;

namespace {

// One letter per key kind; '.' masked.
char letter(KeyKind k)
{
    switch (k) {
    case KeyKind::Token: return 't';
    case KeyKind::CurrentBlock: return 'c';
    case KeyKind::Memory: return 'm';
    case KeyKind::Fam: return 'f';
    case KeyKind::Group: return 'g';
    case KeyKind::Latent: return 'L';
    case KeyKind::Data: return 'd';
    case KeyKind::SameToken: return 's';
    }
    return '?';
}

// The mask drawn pair by pair through kindAt().
QStringList drawByPairs(const AttentionMask& mask)
{
    QStringList rows;
    for (std::int64_t q = 0; q < mask.queries(); ++q) {
        QString row;
        for (std::int64_t k = 0; k < mask.keys(); ++k) {
            KeyKind kind;
            row += mask.kindAt(q, k, &kind) ? QChar(letter(kind)) : QChar('.');
        }
        rows << row;
    }
    return rows;
}

MaskSpec spec(const std::string& kind, std::int64_t length)
{
    MaskSpec s;
    s.kind = kind;
    s.length = length;
    return s;
}

} // namespace

class TestMasks : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void handDrawn_data();
    void handDrawn();
    void rowsAreSortedAndDisjoint();
    void fitMatchesModelRules_data();
    void fitMatchesModelRules();
    void pairCountsMatchRows_data();
    void pairCountsMatchRows();
    void bswaWindowMatchesPaper();
    void famKeysPerQuery();
    void dataTokenAlignment();
    void tomeSharesTokens();
    void badSizesAreRefused_data();
    void badSizesAreRefused();
};

void TestMasks::handDrawn_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("a"); // window, or block
    QTest::addColumn<int>("b"); // memory
    QTest::addColumn<int>("c"); // FAM length
    QTest::addColumn<QStringList>("expected");

    // Fig. 1(a): window 3, the query included.
    QTest::newRow("swa w3") << "swa" << 6 << 3 << 0 << 0
                            << QStringList{"t.....", "tt....", "ttt...", ".ttt..", "..ttt.", "...ttt"};
    // Fig. 1(b): block 2, memory 1.
    QTest::newRow("bswa b2 s1") << "bswa" << 8 << 2 << 1 << 0
                                << QStringList{"c.......", "cc......", "mmc.....", "mmcc....",
                                               "..mmc...", "..mmcc..", "....mmc.", "....mmcc"};
    // Fig. 1(c): block 2, memory 2.
    QTest::newRow("bswa b2 s2") << "bswa" << 8 << 2 << 2 << 0
                                << QStringList{"c.......", "cc......", "mmc.....", "mmcc....",
                                               "mmmmc...", "mmmmcc..", "..mmmmc.", "..mmmmcc"};
    // Fig. 2(b) unrolled, block 2, memory 1, FAM 1: [F_init t0 t1 F0 t2 t3 F1 t4 t5 F2].
    QTest::newRow("fam b2 s1 f1") << "fam" << 6 << 2 << 1 << 1
                                  << QStringList{"f.........", "fc........", "fcc.......", "fcc.......",
                                                 ".mmfc.....", ".mmfcc....", "...fcc....", "....mmfc..",
                                                 "....mmfcc.", "......fcc."};
    // A last block shorter than b: memory blocks stay whole, the FAM follows the short block.
    QTest::newRow("fam short tail") << "fam" << 3 << 2 << 1 << 1
                                    << QStringList{"f.....", "fc....", "fcc...", "fcc...", ".mmfc.", "...fc."};
    // FIT-AR, 2 groups of 2 data tokens, 1 latent each, over [d0 d1 d2 d3 | l0 l1]: data causal in
    // its group and reading the previous group's latent; latents reading their group and earlier latents.
    QTest::newRow("fit-ar n2 m1") << "fit-ar" << 4 << 2 << 1 << 0
                                  << QStringList{"g.....", "gg....", "..g.L.", "..ggL.", "dd..L.", "..ddLL"};
    QTest::newRow("fit local n2") << "fit-local" << 6 << 2 << 1 << 0
                                  << QStringList{"gg....", "gg....", "..gg..", "..gg..", "....gg", "....gg"};
}

void TestMasks::handDrawn()
{
    QFETCH(QString, kind);
    QFETCH(int, length);
    QFETCH(int, a);
    QFETCH(int, b);
    QFETCH(int, c);
    QFETCH(QStringList, expected);
    MaskSpec s = spec(kind.toStdString(), length);
    s.window = a;
    s.block = a;
    s.memory = b;
    s.fam = c;
    s.group = a;
    s.latents = b;
    auto mask = makeMask(s);
    QCOMPARE(drawByPairs(*mask), expected);
}

void TestMasks::rowsAreSortedAndDisjoint()
{
    std::vector<std::unique_ptr<AttentionMask>> masks;
    masks.push_back(std::make_unique<FamMask>(FamLayout{37, 4, 3, 2}));
    masks.push_back(std::make_unique<FamMask>(FamLayout{37, 4, 3, 2}, /*causal=*/false));
    masks.push_back(std::make_unique<BlockSlidingWindowMask>(37, 5, 2, false));
    masks.push_back(std::make_unique<FitMask>(fitMaskSpecFor(36, 4, 3, true), std::nullopt));
    masks.push_back(std::make_unique<ToMeMask>(std::vector<int>{1, 2, 1, 3, 3, 1}));
    std::vector<KeyRange> row;
    for (const auto& mask : masks) {
        for (std::int64_t q = 0; q < mask->queries(); ++q) {
            mask->keyRanges(q, row);
            for (std::size_t i = 0; i < row.size(); ++i) {
                QVERIFY2(row[i].begin < row[i].end, mask->name().c_str());
                QVERIFY(row[i].begin >= 0 && row[i].end <= mask->keys());
                if (i > 0)
                    QVERIFY2(row[i - 1].end <= row[i].begin, mask->name().c_str());
            }
        }
    }
}

void TestMasks::fitMatchesModelRules_data()
{
    QTest::addColumn<int>("groups");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("m");
    QTest::addColumn<bool>("ar");
    QTest::newRow("3x4, m2") << 3 << 4 << 2 << false;
    QTest::newRow("3x4, m2, AR") << 3 << 4 << 2 << true;
    QTest::newRow("5x3, m4, AR") << 5 << 3 << 4 << true;
    QTest::newRow("1x6, m1") << 1 << 6 << 1 << false;
}

void TestMasks::fitMatchesModelRules()
{
    QFETCH(int, groups);
    QFETCH(int, n);
    QFETCH(int, m);
    QFETCH(bool, ar);
    const FitMaskSpec fit = fitMaskSpecFor(std::int64_t(groups) * n, n, m, ar);
    for (FitMaskStage stage : {FitMaskStage::Local, FitMaskStage::Read, FitMaskStage::Global, FitMaskStage::Write}) {
        FitMask mask(fit, stage);
        QCOMPARE(mask.queries(), fitQueryCount(fit, stage));
        QCOMPARE(mask.keys(), fitKeyCount(fit, stage));
        for (std::int64_t q = 0; q < mask.queries(); ++q)
            for (std::int64_t k = 0; k < mask.keys(); ++k)
                QCOMPARE(mask.allowed(q, k), fitAllowed(fit, stage, q, k));
    }
    FitMask combined(fit, std::nullopt);
    QCOMPARE(combined.queries(), fitCombinedSize(fit));
    for (std::int64_t q = 0; q < combined.queries(); ++q)
        for (std::int64_t k = 0; k < combined.keys(); ++k)
            QCOMPARE(combined.allowed(q, k), fitCombinedAllowed(fit, q, k));
}

void TestMasks::pairCountsMatchRows_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<int>("a");
    QTest::addColumn<int>("b");
    QTest::addColumn<int>("c");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<qint64>("closedForm"); // from the paper's definitions, -1: not given here

    const qint64 big = 1'000'003; // prime: the last block is always partial
    QTest::newRow("full") << "full" << big << 0 << 0 << 0 << true << big * big;
    QTest::newRow("causal") << "causal" << big << 0 << 0 << 0 << true << big * (big + 1) / 2;
    // w(w+1)/2 for the first w queries, then w each.
    QTest::newRow("swa 4096") << "swa" << big << 4096 << 0 << 0 << true << 4096LL * 4097 / 2 + (big - 4096) * 4096;
    QTest::newRow("bswa 64/1") << "bswa" << big << 64 << 1 << 0 << true << -1LL;
    QTest::newRow("bswa 1024/3") << "bswa" << big << 1024 << 3 << 0 << true << -1LL;
    QTest::newRow("bswa 7/0 bidi") << "bswa" << big << 7 << 0 << 0 << false << -1LL;
    QTest::newRow("bswa 1000/2000") << "bswa" << big << 1000 << 2000 << 0 << true << -1LL;
    QTest::newRow("fam 64/1/8") << "fam" << big << 64 << 1 << 8 << true << -1LL;
    QTest::newRow("fam 1024/3/64") << "fam" << big << 1024 << 3 << 64 << true << -1LL;
    QTest::newRow("fam 5/0/3 bidi") << "fam" << big << 5 << 0 << 3 << false << -1LL;
    // Block 2^20 = one block of L keys (bidirectional): L^2 + 2 L f + 2 f^2.
    QTest::newRow("fam one block") << "fam" << 1'048'576LL << 1'048'576 << 1 << 4 << false
                                   << 1'048'576LL * 1'048'576 + 2 * 1'048'576LL * 4 + 2 * 16;
}

void TestMasks::pairCountsMatchRows()
{
    QFETCH(QString, kind);
    QFETCH(qint64, length);
    QFETCH(int, a);
    QFETCH(int, b);
    QFETCH(int, c);
    QFETCH(bool, causal);
    QFETCH(qint64, closedForm);
    MaskSpec s = spec(kind.toStdString(), length);
    s.window = a;
    s.block = a;
    s.memory = b;
    s.fam = c;
    s.causal = causal;
    auto mask = makeMask(s);
    const std::int64_t byRows = countPairsByRows(*mask);
    QCOMPARE(mask->allowedPairs(), byRows);
    if (closedForm >= 0)
        QCOMPARE(mask->allowedPairs(), closedForm);
    const KeyCountSummary summary = mask->keyCountSummary();
    QCOMPARE(summary.mean * mask->queries(), static_cast<double>(byRows));
}

void TestMasks::bswaWindowMatchesPaper()
{
    // Sec. 2.1: block 1024, memory 3 gives windows of 3073 to 4096 keys once 3 blocks have passed.
    BlockSlidingWindowMask mask(10 * 1024, 1024, 3);
    std::int64_t lo = 1 << 30, hi = 0;
    for (std::int64_t q = 3 * 1024; q < mask.queries(); ++q) {
        lo = std::min(lo, mask.keysForQuery(q));
        hi = std::max(hi, mask.keysForQuery(q));
    }
    QCOMPARE(lo, 3073);
    QCOMPARE(hi, 4096);
}

void TestMasks::dataTokenAlignment()
{
    // FAM, L = 7, b = 3, f = 2: [F_init F_init | 0 1 2 | F_0 F_0 | 3 4 5 | F_1 F_1 | 6 | F_2 F_2].
    MaskSpec fam = spec("fam", 7);
    fam.block = 3;
    fam.memory = 1;
    fam.fam = 2;
    const auto mask = makeMask(fam);
    QCOMPARE(mask->queries(), 15);
    const std::vector<std::int64_t> positions = {2, 3, 4, 7, 8, 9, 12};
    for (std::int64_t t = 0; t < 7; ++t) {
        QCOMPARE(mask->positionOfDataToken(t, false), positions[std::size_t(t)]);
        QCOMPARE(mask->positionOfDataToken(t, true), positions[std::size_t(t)]);
        QCOMPARE(mask->dataTokensBefore(positions[std::size_t(t)], true), t); // the inverse
    }
    // Counted by hand: data tokens strictly before each position 0..15.
    const std::vector<std::int64_t> before = {0, 0, 0, 1, 2, 3, 3, 3, 4, 5, 6, 6, 6, 7, 7, 7};
    for (std::int64_t p = 0; p <= 15; ++p)
        QCOMPARE(mask->dataTokensBefore(p, false), before[std::size_t(p)]);
    // Layouts that are the data (BSWA) map one to one; FIT's [data | latents] keeps data first.
    MaskSpec bswa = spec("bswa", 7);
    bswa.block = 3;
    bswa.memory = 1;
    const auto plain = makeMask(bswa);
    for (std::int64_t p = 0; p <= 7; ++p)
        QCOMPARE(plain->dataTokensBefore(p, false), p);
    MaskSpec fit = spec("fit", 8);
    fit.group = 4;
    fit.latents = 2;
    const auto combined = makeMask(fit);
    QCOMPARE(combined->queries(), 12);
    QCOMPARE(combined->dataTokensBefore(12, false), 8); // latents hold no data tokens
    QCOMPARE(combined->positionOfDataToken(5, true), 5);
}

void TestMasks::famKeysPerQuery()
{
    // A block query sees s b memory keys, f FAM keys and 1..b own keys; a FAM query f + b.
    const FamLayout layout{640, 64, 2, 8};
    FamMask mask(layout);
    for (std::int64_t t = 2; t < layout.blocks(); ++t) {
        QCOMPARE(mask.keysForQuery(layout.blockStart(t)), 2 * 64 + 8 + 1);
        QCOMPARE(mask.keysForQuery(layout.blockStart(t) + 63), 3 * 64 + 8);
        QCOMPARE(mask.keysForQuery(layout.famStart(t)), 8 + 64);
    }
    QCOMPARE(mask.keys(), 640 + 8 * 11);
    for (std::int64_t i = 0; i < layout.length; i += 37)
        QCOMPARE(layout.tokenAt(layout.positionOfToken(i)), i);
    QVERIFY(mask.describeQuery(layout.famStart(3)).find("F_3") != std::string::npos);
}

void TestMasks::tomeSharesTokens()
{
    // Patches 0 and 2 share token 1; the class token is alone.
    ToMeMask mask({1, 2, 1, 3});
    QCOMPARE(drawByPairs(mask), (QStringList{"stttt", "tstst", "ttstt", "tstst", "tttts"}));
    QCOMPARE(mask.allowedPairs(), 25);
    QCOMPARE(mask.computedPairs(), 16); // 4 tokens, class token included
}

void TestMasks::badSizesAreRefused_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<int>("a");
    QTest::addColumn<int>("b");
    QTest::addColumn<int>("c");
    QTest::addColumn<QString>("message");
    QTest::newRow("zero length") << "causal" << 0LL << 0 << 0 << 0 << "length";
    QTest::newRow("negative length") << "full" << -5LL << 0 << 0 << 0 << "length";
    QTest::newRow("window zero") << "swa" << 10LL << 0 << 0 << 0 << "window";
    QTest::newRow("window too large") << "swa" << 10LL << 11 << 0 << 0 << "larger than the sequence";
    QTest::newRow("block too large") << "bswa" << 10LL << 11 << 1 << 0 << "larger than the sequence";
    QTest::newRow("negative memory") << "bswa" << 10LL << 2 << -1 << 0 << "memory";
    QTest::newRow("fam zero") << "fam" << 10LL << 2 << 1 << 0 << "FAM length";
    QTest::newRow("fit not a multiple") << "fit-local" << 10LL << 4 << 0 << 0 << "multiple";
    QTest::newRow("unknown") << "nope" << 10LL << 1 << 1 << 1 << "unknown mask kind";
}

void TestMasks::badSizesAreRefused()
{
    QFETCH(QString, kind);
    QFETCH(qint64, length);
    QFETCH(int, a);
    QFETCH(int, b);
    QFETCH(int, c);
    QFETCH(QString, message);
    MaskSpec s = spec(kind.toStdString(), length);
    s.window = a;
    s.block = a;
    s.group = a;
    s.latents = 1;
    s.memory = b;
    s.fam = c;
    try {
        makeMask(s);
        QFAIL("accepted");
    } catch (const Error& e) {
        const QString text = e.what();
        QVERIFY2(text.contains(message), qPrintable(text));
        QVERIFY(!text.contains('\n'));
    }
}

QTEST_GUILESS_MAIN(TestMasks)
#include "tst_masks.moc"
