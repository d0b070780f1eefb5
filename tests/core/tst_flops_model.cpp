// Analytic FLOP models against counts worked out by hand, the Megatron / Kaplan formulas and
// FIT's cost table (Chen & Li 2023, arXiv 2305.12689, Table 1 / App. B, with the
// per-op counts of Narayanan et al. 2021, Eq. 3), plus the identities users rely on.
#include "core/flops/fit_optimum.h"
#include "core/flops/flop_lengths.h"
#include "core/flops/flop_model.h"
#include "core/flops/flop_presets.h"
#include "core/util/error.h"

#include <QtTest>

#include <chrono>

using namespace ts;

namespace {

ArchSpec tiny(ArchKind kind, int depth, int width, int heads, double ratio)
{
    ArchSpec s;
    s.name = "tiny";
    s.kind = kind;
    s.depth = depth;
    s.width = width;
    s.heads = heads;
    s.mlpRatio = ratio;
    s.patchSize = 0;
    s.classToken = false;
    s.headOutputs = 0;
    return s;
}

} // namespace

class TestFlopsModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void vitByHand();
    void decoderMatchesMegatron_data();
    void decoderMatchesMegatron();
    void conventions();
    void windowByHand();
    void tomeByHand();
    void tomeWithoutMergingIsVit_data();
    void tomeWithoutMergingIsVit();
    void fitMatchesCostTable_data();
    void fitMatchesCostTable();
    void fitOneGroupIsFullAttentionPlusLatents();
    void famAndBswaByHand();
    void gpt3MatchesKaplan();
    void vitPresetsMatchPublishedMacs_data();
    void vitPresetsMatchPublishedMacs();
    void fitOptimumScalesAsFourThirds();
    void lengths_data();
    void lengths();
    void badInputNamesTheField_data();
    void badInputNamesTheField();
    void allPresetsAtSixtyFourLengthsAreFast();
};

void TestFlopsModel::vitByHand()
{
    // depth 1, width 4, 2 heads, MLP 8, 2x2 RGB patches, class token, 5-way head, 3 patches -> N = 4.
    ArchSpec s = tiny(ArchKind::Transformer, 1, 4, 2, 2.0);
    s.patchSize = 2;
    s.classToken = true;
    s.headOutputs = 5;
    const FlopBreakdown b = countFlops(s, 3);
    QCOMPARE(b.part("patch_embed"), 2.0 * 3 * 12 * 4); // 3 patches x (3*2*2 -> 4)
    QCOMPARE(b.part("qkv"), 2.0 * 4 * 4 * 12);         // 4 tokens x (4 -> 12)
    QCOMPARE(b.part("attn_qk"), 2.0 * 16 * 4);         // 4 x 4 pairs x width
    QCOMPARE(b.part("attn_av"), 2.0 * 16 * 4);
    QCOMPARE(b.part("attn_proj"), 2.0 * 4 * 4 * 4);
    QCOMPARE(b.part("mlp"), 2.0 * 4 * (4 * 8 + 8 * 4));
    QCOMPARE(b.part("head"), 2.0 * 4 * 5);             // class token only
    QCOMPARE(b.total, 1608.0);
    QCOMPARE(b.elementwise.at("layernorm"), 8.0 * 4 * 4 * 3); // norm1, norm2, final norm
    QCOMPARE(b.elementwise.at("softmax"), 5.0 * 2 * 16);
    QCOMPARE(b.elementwise.at("gelu"), 8.0 * 4 * 8);
    QCOMPARE(b.stage("embed") + b.stage("layers") + b.stage("head"), b.total);
}

void TestFlopsModel::decoderMatchesMegatron_data()
{
    QTest::addColumn<int>("depth");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("length");
    QTest::newRow("2 x 8, L 10") << 2 << 8 << 10;
    QTest::newRow("24 x 1024, L 2048") << 24 << 1024 << 2048;
    QTest::newRow("4 x 64, L 100000") << 4 << 64 << 100000;
}

void TestFlopsModel::decoderMatchesMegatron()
{
    QFETCH(int, depth);
    QFETCH(int, width);
    QFETCH(int, length);
    ArchSpec s = tiny(ArchKind::Transformer, depth, width, 2, 4.0);
    s.causal = true;
    // Megatron (Narayanan et al. 2021, Eq. 3 before the x3): 24 s h^2 + 4 s^2 h per layer.
    const double s_ = length, h = width;
    const double megatron = depth * (24 * s_ * h * h + 4 * s_ * s_ * h);
    QCOMPARE(countFlops(s, length).total, megatron);
    // Unmasked pairs only: s (s + 1) / 2 of the s^2 logits.
    const double half = depth * (24 * s_ * h * h + 4 * h * s_ * (s_ + 1) / 2);
    QCOMPARE(countFlops(s, length, flopConvention("causal-half")).total, half);
}

void TestFlopsModel::conventions()
{
    const ArchSpec s = flopPreset("gpt3-350m");
    const double base = countFlops(s, 4096).total;
    QCOMPARE(countFlops(s, 4096, flopConvention("macs")).total, base / 2);
    QCOMPARE(countFlops(s, 4096, flopConvention("training")).total, base * 3);
    QCOMPARE(countFlops(s, 4096, flopConvention("macs+training")).total, base * 1.5);
    QVERIFY(countFlops(s, 4096, flopConvention("causal-half")).total < base);
    // A bidirectional model is not affected by the causal convention.
    const ArchSpec vit = flopPreset("vit-b16");
    QCOMPARE(countFlops(vit, 4096, flopConvention("causal-half")).total, countFlops(vit, 4096).total);
    QCOMPARE(flopConvention("macs+causal-half").name(), std::string("macs+causal-half"));
    QVERIFY(QString::fromStdString(FlopConvention{}.label()).contains("1 MAC = 2 FLOPs"));
    QVERIFY_THROWS_EXCEPTION(Error, flopConvention("gigaflops"));
}

void TestFlopsModel::windowByHand()
{
    // 10 tokens in windows of 4: 4 + 4 + 2 -> 16 + 16 + 4 = 36 pairs; width 8, one layer, MLP x4.
    ArchSpec s = tiny(ArchKind::Window, 1, 8, 1, 4.0);
    s.window = 4;
    const FlopBreakdown b = countFlops(s, 10);
    QCOMPARE(b.part("attn_qk"), 2.0 * 36 * 8);
    QCOMPARE(b.total, 24.0 * 10 * 64 + 4.0 * 36 * 8);
    // A window as long as the sequence is full attention.
    s.window = 10;
    ArchSpec full = s;
    full.kind = ArchKind::Transformer;
    QCOMPARE(countFlops(s, 10).total, countFlops(full, 10).total);
}

void TestFlopsModel::tomeByHand()
{
    // depth 2, width 4, 1 head, MLP 4, class token, 5 patches -> 6 tokens, r = 2:
    // block 1 merges min(2, (6-1)/2) = 2 -> 4; block 2 merges min(2, (4-1)/2) = 1 -> 3.
    ArchSpec s = tiny(ArchKind::ToMe, 2, 4, 1, 1.0);
    s.classToken = true;
    s.schedule = ToMeSchedule::constant(2);
    QCOMPARE(tomeTokenCounts(s, 5), (std::vector<int>{6, 4, 3}));
    const FlopBreakdown b = countFlops(s, 5);
    // Block 1: attention on 6 (qkv 576, qk 288, av 288, proj 192), matching 3 x 3 x 4 (72), MLP on 4 (256).
    // Block 2: attention on 4 (384, 128, 128, 128), matching 2 x 2 x 4 (32), MLP on 3 (192).
    QCOMPARE(b.part("tome_match"), 72.0 + 32.0);
    QCOMPARE(b.part("mlp"), 256.0 + 192.0);
    QCOMPARE(b.total, 1672.0 + 992.0);
}

void TestFlopsModel::tomeWithoutMergingIsVit_data()
{
    QTest::addColumn<QString>("preset");
    QTest::addColumn<int>("length");
    QTest::newRow("vit-ti16 196") << "vit-ti16" << 196;
    QTest::newRow("vit-b16 4096") << "vit-b16" << 4096;
    QTest::newRow("vit-h16 65536") << "vit-h16" << 65536;
}

void TestFlopsModel::tomeWithoutMergingIsVit()
{
    QFETCH(QString, preset);
    QFETCH(int, length);
    const ArchSpec vit = flopPreset(preset.toStdString());
    ArchSpec tome = vit;
    tome.kind = ArchKind::ToMe;
    tome.schedule = ToMeSchedule::constant(0);
    const FlopBreakdown a = countFlops(vit, length), b = countFlops(tome, length);
    QCOMPARE(b.parts, a.parts);
    QCOMPARE(b.elementwise, a.elementwise);
    // Merging r = 8 per block saves FLOPs at image lengths, but the bipartite matching costs
    // N^2/2 x head_dim per block, which outgrows the savings at long sequences.
    tome.schedule = ToMeSchedule::constant(8);
    if (length <= 4096)
        QVERIFY(countFlops(tome, length).total < a.total);
    else
        QVERIFY(countFlops(tome, length).part("tome_match") > a.total - countFlops(tome, length).total + 1e12);
}

void TestFlopsModel::fitMatchesCostTable_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("group");
    QTest::newRow("L 64, n 16") << 64 << 16;
    QTest::newRow("L 4096, n 256") << 4096 << 256;
    QTest::newRow("L 2^20, n 2048") << (1 << 20) << 2048;
}

void TestFlopsModel::fitMatchesCostTable()
{
    QFETCH(int, length);
    QFETCH(int, group);
    // FIT's per-layer cost table (the official pix2seq FIT code's layers), per layer / per call, r = MLP ratio, p = min(c, d).
    ArchSpec s = tiny(ArchKind::Fit, 6, 64, 4, 4.0);
    s.pattern = "L(2)G(1)L(2)G(1)";
    s.groupSize = group;
    s.latentsPerGroup = 8;
    s.latentWidth = 32;
    s.latentHeads = 2;
    const double L = length, n = group, m = 8, c = 64, d = 32, r = 4, p = 32, t = L / n;
    const FlopBreakdown b = countFlops(s, length);
    QCOMPARE(b.stage("local"), 4 * ((8 + 4 * r) * L * c * c + 4 * L * n * c));
    QCOMPARE(b.stage("global"), 2 * ((8 + 4 * r) * (L * m / n) * d * d + 4 * (L * m / n) * (L * m / n) * d));
    QCOMPARE(b.stage("read"), 2 * (4 * L * c * p + 4 * t * m * d * p + 4 * L * m * p));
    QCOMPARE(b.stage("write"), 1 * (4 * L * c * p + 4 * t * m * d * p + 4 * L * m * p)); // none after the last block
    QCOMPARE(b.total, b.stage("local") + b.stage("global") + b.stage("read") + b.stage("write"));
}

void TestFlopsModel::fitOneGroupIsFullAttentionPlusLatents()
{
    // One group holding the whole sequence: the local layers are full attention on the data.
    const int L = 16;
    ArchSpec fit = tiny(ArchKind::Fit, 3, 8, 2, 4.0);
    fit.pattern = "L(1)G(1)L(1)";
    fit.groupSize = L;
    fit.latentsPerGroup = 3;
    fit.latentWidth = 4;
    fit.latentHeads = 1;
    const ArchSpec full = tiny(ArchKind::Transformer, 2, 8, 2, 4.0);
    const double c = 8, d = 4, m = 3, p = 4;
    const double read = 2 * m * d * p + 2 * L * c * 2 * p + 2 * 2 * m * L * p + 2 * m * p * d;
    const double global = (8 + 4 * 4) * m * d * d + 4 * m * m * d;
    const double write = 2 * L * c * p + 2 * m * d * 2 * p + 2 * 2 * L * m * p + 2 * L * p * c;
    const FlopBreakdown b = countFlops(fit, L);
    QCOMPARE(b.stage("local"), countFlops(full, L).total);
    QCOMPARE(b.total, countFlops(full, L).total + read + global + write);
}

void TestFlopsModel::famAndBswaByHand()
{
    // depth 1, width 4, 1 head, MLP 4, causal, B = 2, M = 1, F = 1, L = 5 -> blocks of 2, 2, 1
    // with 0, 2, 2 memory keys. Rows (block + FAM): 3, 3, 2; keys: 3, 5, 4; pairs 9 + 15 + 8,
    // plus the prompt (1 row, 1 pair). Per row 96 + 32 + 64 = 192, per pair 2 x 2 x 4 = 16.
    ArchSpec fam = tiny(ArchKind::Fam, 1, 4, 1, 1.0);
    fam.causal = true;
    fam.block = 2;
    fam.memory = 1;
    fam.famLength = 1;
    QCOMPARE(countFlops(fam, 5).total, 9 * 192.0 + 33 * 16.0);
    // BSWA: rows 5; pairs 2x2 + 2x4 + 1x3 = 15; causal-half drops 1 + 1 + 0 masked pairs.
    ArchSpec bswa = fam;
    bswa.kind = ArchKind::Bswa;
    QCOMPARE(countFlops(bswa, 5).total, 5 * 192.0 + 15 * 16.0);
    QCOMPARE(countFlops(bswa, 5, flopConvention("causal-half")).total, 5 * 192.0 + 13 * 16.0);
    // No memory and one block: full (masked) attention over the block.
    bswa.memory = 0;
    bswa.block = 5;
    ArchSpec full = bswa;
    full.kind = ArchKind::Transformer;
    QCOMPARE(countFlops(bswa, 5).total, countFlops(full, 5).total);
}

void TestFlopsModel::gpt3MatchesKaplan()
{
    // Kaplan et al. 2020 Table 1: C_forward = 2 N + 2 n_layer n_ctx d_attn per token, N = 12 n_layer d^2,
    // which counts causal attention over half the context.
    const ArchSpec s = flopPreset("gpt3-175b");
    const double n = 2048, N = 12.0 * 96 * 12288.0 * 12288.0;
    const double kaplan = n * (2 * N + 2 * 96 * n * 12288.0);
    const double ours = countFlops(s, 2048, flopConvention("causal-half")).total;
    QVERIFY2(std::abs(ours / kaplan - 1) < 1e-3, qPrintable(QString::number(ours / kaplan)));
}

void TestFlopsModel::vitPresetsMatchPublishedMacs_data()
{
    // timm's model cards (measured with fvcore-style counting, MACs) at 224 px.
    QTest::addColumn<QString>("preset");
    QTest::addColumn<double>("gmacs");
    QTest::newRow("vit-ti16") << "vit-ti16" << 1.26;
    QTest::newRow("vit-s16") << "vit-s16" << 4.61;
    QTest::newRow("vit-b16") << "vit-b16" << 17.58;
    QTest::newRow("vit-l16") << "vit-l16" << 61.6;
}

void TestFlopsModel::vitPresetsMatchPublishedMacs()
{
    QFETCH(QString, preset);
    QFETCH(double, gmacs);
    const double ours = countFlops(flopPreset(preset.toStdString()), 196, flopConvention("macs")).total / 1e9;
    QVERIFY2(std::abs(ours / gmacs - 1) < 0.02, qPrintable(QString("%1 GMACs").arg(ours)));
}

void TestFlopsModel::fitOptimumScalesAsFourThirds()
{
    const ArchSpec s = flopPreset("fit-13b");
    // The searched optimum agrees with the closed form n* = (2 beta m^2 L / alpha)^{1/3} when only
    // the n-dependent attention terms matter.
    const FitOptimum o = optimalFitGroupSize(s, 1 << 22, {}, FitObjective::Attention);
    QVERIFY2(std::abs(double(o.groupSize) / o.closedFormGroupSize - 1) < 0.05,
             qPrintable(QString("%1 vs %2").arg(o.groupSize).arg(o.closedFormGroupSize)));
    const FitScaling sc = fitScaling(s, {1 << 22, 1 << 23, 1 << 24, 1 << 25});
    QVERIFY2(std::abs(sc.attentionExponent - 4.0 / 3) < 0.06, qPrintable(QString::number(sc.attentionExponent)));
    QVERIFY(sc.totalExponent > 1.0 && sc.totalExponent < 4.0 / 3 + 0.01);
    // Far below full attention's L^2 at the same length.
    ArchSpec full = flopPreset("gpt3-13b");
    QVERIFY(sc.total.back().flops < countFlops(full, 1 << 25).total / 10);
    QVERIFY_THROWS_EXCEPTION(Error, optimalFitGroupSize(full, 4096));
}

void TestFlopsModel::lengths_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("count");
    QTest::addColumn<qlonglong>("first");
    QTest::addColumn<qlonglong>("last");
    QTest::newRow("doubling 1K..1M") << "1024:1048576:x2" << 11 << 1024LL << 1048576LL;
    QTest::newRow("64 log-spaced") << "1024:1048576:n64" << 64 << 1024LL << 1048576LL;
    QTest::newRow("list, unsorted, repeat") << "4096, 1024,4096" << 2 << 1024LL << 4096LL;
    QTest::newRow("scientific") << "1e3,1e6" << 2 << 1000LL << 1000000LL;
}

void TestFlopsModel::lengths()
{
    QFETCH(QString, text);
    QFETCH(int, count);
    QFETCH(qlonglong, first);
    QFETCH(qlonglong, last);
    const std::vector<long long> v = parseLengths(text.toStdString());
    QCOMPARE(int(v.size()), count);
    QCOMPARE(v.front(), first);
    QCOMPARE(v.back(), last);
}

void TestFlopsModel::badInputNamesTheField_data()
{
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("expected");
    QTest::newRow("heads do not divide") << "heads" << "heads";
    QTest::newRow("fit pattern vs depth") << "depth" << "depth";
    QTest::newRow("bad pattern") << "pattern" << "pattern";
    QTest::newRow("zero block") << "block" << "block";
    QTest::newRow("lengths") << "lengths" << "lengths";
}

void TestFlopsModel::badInputNamesTheField()
{
    QFETCH(QString, what);
    QFETCH(QString, expected);
    QString message;
    try {
        if (what == "lengths") {
            parseLengths("1024:512:x2");
        } else {
            ArchSpec s = flopPreset(what == "block" ? "fam-1b" : what == "heads" ? "vit-b16" : "fit-13b");
            if (what == "heads")
                s.heads = 7;
            else if (what == "depth")
                s.depth = 41;
            else if (what == "pattern")
                s.pattern = "L(8)X(2)";
            else
                s.block = 0;
            countFlops(s, 1024);
        }
    } catch (const Error& e) {
        message = e.what();
    }
    QVERIFY2(message.contains(expected), qPrintable(message));
}

void TestFlopsModel::allPresetsAtSixtyFourLengthsAreFast()
{
    const std::vector<long long> lengths = logSpacedLengths(1024, 1 << 20, 64);
    const auto start = std::chrono::steady_clock::now();
    double sum = 0;
    for (const ArchSpec& s : flopPresets())
        for (long long L : lengths)
            sum += countFlops(s, L).total;
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    QVERIFY(sum > 0);
    // The target is 50 ms (tokenscope bench flops measures it); the test allows for a loaded machine.
    QVERIFY2(ms < 250, qPrintable(QString("%1 ms").arg(ms)));
}

QTEST_GUILESS_MAIN(TestFlopsModel)
#include "tst_flops_model.moc"
