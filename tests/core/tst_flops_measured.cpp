// What the app's own forward passes execute (core/nn/flop_counter.h) against the analytic
// models, part by part, for every architecture that has a forward pass; and the marking of runs
// that would not fit.
#include "core/flops/flop_measure.h"
#include "core/flops/flop_presets.h"

#include <QtTest>

using namespace ts;

namespace {

ArchSpec small(ArchKind kind)
{
    ArchSpec s;
    s.name = archKindName(kind);
    s.kind = kind;
    s.depth = 2;
    s.width = 32;
    s.heads = 4;
    s.mlpRatio = 2;
    s.patchSize = 4;
    s.classToken = true;
    s.headOutputs = 10;
    return s;
}

} // namespace

class TestFlopsMeasured : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void measuredEqualsAnalytic_data();
    void measuredEqualsAnalytic();
    void tooLargeIsMarkedNotRun();
    void unsupportedShapesAreMarked();
    void reportMeasuresEveryPoint();
};

void TestFlopsMeasured::measuredEqualsAnalytic_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("variant");
    QTest::addColumn<int>("length");
    const int T = int(ArchKind::Transformer), W = int(ArchKind::Window), M = int(ArchKind::ToMe), F = int(ArchKind::Fit),
              B = int(ArchKind::Bswa), A = int(ArchKind::Fam);
    QTest::newRow("vit") << T << "" << 49;
    QTest::newRow("causal decoder, logits on every token") << T << "decoder" << 40;
    QTest::newRow("window with remainder") << W << "" << 50;
    QTest::newRow("window causal") << W << "causal" << 33;
    QTest::newRow("tome r=5") << M << "" << 64;
    QTest::newRow("tome schedule clamps") << M << "clamp" << 21;
    QTest::newRow("tome, distillation token and head") << M << "distilled" << 40;
    QTest::newRow("vit with 4 registers") << T << "registers" << 36;
    QTest::newRow("fit, 2 x 2 groups") << F << "" << 48;
    QTest::newRow("fit, padded last group") << F << "pad" << 96;
    QTest::newRow("fit-ar, token input") << F << "ar" << 64;
    QTest::newRow("bswa") << B << "" << 70;
    QTest::newRow("fam") << A << "" << 70;
    QTest::newRow("fam bidirectional, no memory") << A << "nomem" << 64;
}

void TestFlopsMeasured::measuredEqualsAnalytic()
{
    QFETCH(int, kind);
    QFETCH(QString, variant);
    QFETCH(int, length);
    ArchSpec s = small(ArchKind(kind));
    if (variant == "decoder") {
        s.causal = true;
        s.patchSize = 0;
        s.classToken = false;
        s.headOnAllTokens = true;
    }
    if (s.kind == ArchKind::Window) {
        s.window = 16;
        s.causal = variant == "causal";
    }
    if (variant == "distilled")
        s.extraTokens = 1, s.distillationHead = true;
    if (variant == "registers")
        s.extraTokens = 4;
    if (s.kind == ArchKind::ToMe)
        s.schedule = variant == "clamp" ? ToMeSchedule::explicitList({8, 8}) : ToMeSchedule::constant(5);
    if (s.kind == ArchKind::Fit) {
        s.classToken = false;
        s.headOutputs = 0;
        s.groupSize = variant == "pad" ? 16 : 4; // g x g patch windows, g = 4 or 2
        s.latentsPerGroup = 3;
        s.latentWidth = 16;
        s.latentHeads = 2;
        s.pattern = "L(1)G(1)L(1)G(1)";
        s.depth = 4;
        if (variant == "pad")
            length = 4 * 18; // 4 patch rows x 18 columns: 5 groups of 4 x 4, the last half padding
        if (variant == "ar") {
            s.causal = true;
            s.patchSize = 0;
        }
    }
    if (s.kind == ArchKind::Bswa || s.kind == ArchKind::Fam) {
        s.classToken = false;
        s.headOutputs = 0;
        s.patchSize = 0;
        s.causal = variant != "nomem";
        s.block = 16;
        s.memory = variant == "nomem" ? 0 : 2;
        s.famLength = 4;
    }
    const FlopMeasurement m = measureFlops(s, length);
    QVERIFY2(m.status == MeasureStatus::Ran, m.note.c_str());
    const FlopBreakdown a = countFlops(s, length);
    QCOMPARE(m.analyticFlops, a.total);
    QVERIFY2(std::abs(m.relativeError()) < 0.01, qPrintable(QString("measured %1, analytic %2").arg(m.flops).arg(a.total)));
    // Part by part, and the same parts.
    QCOMPARE(m.parts.size(), a.parts.size());
    for (const auto& [part, flops] : a.parts) {
        QVERIFY2(m.parts.count(part), part.c_str());
        QVERIFY2(std::abs(m.parts.at(part) / flops - 1) < 0.01, qPrintable(QString::fromStdString(part)));
    }
    for (const auto& [kindName, flops] : a.elementwise)
        QVERIFY2(m.elementwise.count(kindName) && std::abs(m.elementwise.at(kindName) / flops - 1) < 0.01,
                 qPrintable(QString::fromStdString(kindName)));
    QVERIFY(m.seconds > 0);
    QVERIFY(m.peakMemoryBytes > 0);
    QVERIFY2(m.peakMemoryBytes < m.estimatedMemoryBytes,
             qPrintable(QString("peak %1 > estimate %2").arg(m.peakMemoryBytes).arg(m.estimatedMemoryBytes)));
}

void TestFlopsMeasured::tooLargeIsMarkedNotRun()
{
    MeasureOptions o;
    o.memoryLimitBytes = 64LL << 20;
    const FlopMeasurement m = measureFlops(flopPreset("vit-b16"), 16384, {}, o);
    QCOMPARE(m.status, MeasureStatus::TooLarge);
    QVERIFY(m.estimatedMemoryBytes > o.memoryLimitBytes);
    QCOMPARE(m.flops, 0.0);
    QVERIFY(m.note.find("needs about") != std::string::npos);
    // GPT-3 175B's weights alone exceed any machine this runs on.
    QCOMPARE(measureFlops(flopPreset("gpt3-175b"), 1024).status, MeasureStatus::TooLarge);
}

void TestFlopsMeasured::unsupportedShapesAreMarked()
{
    ArchSpec fit = flopPreset("fit-13b"); // group 2048 is not a square window
    QVERIFY(!measureUnsupportedReason(fit, 1 << 20).empty());
    QCOMPARE(measureFlops(fit, 1 << 20).status, MeasureStatus::Unsupported);
    ArchSpec image = flopPreset("fit-vit-s16");
    QVERIFY(measureUnsupportedReason(image, 64 * 10).empty());
    QVERIFY(!measureUnsupportedReason(image, 63).empty()); // not a multiple of g = 8
}

void TestFlopsMeasured::reportMeasuresEveryPoint()
{
    ArchSpec s = small(ArchKind::Transformer);
    FlopReport report = computeFlopCurves({s}, {16, 32});
    int calls = 0;
    RunControl control;
    control.onProgress = [&](int, int, const std::string&) { ++calls; };
    measureReport(report, control);
    QVERIFY(calls >= 2);
    for (const FlopPoint& p : report.series[0].points) {
        QCOMPARE(p.measured.status, MeasureStatus::Ran);
        QCOMPARE(p.measured.flops, p.analytic.total);
    }
    // Cancelling stops before the next point.
    control.isCancelled = [] { return true; };
    QVERIFY_THROWS_EXCEPTION(Cancelled, measureReport(report, control));
}

QTEST_GUILESS_MAIN(TestFlopsMeasured)
#include "tst_flops_measured.moc"
