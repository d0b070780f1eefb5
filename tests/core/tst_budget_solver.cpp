// The budget solver (core/reduction/budget_solver.h): every method's schedule lands within 1% of
// a FLOP target over a range of budgets and models, and a run with that schedule measures
// exactly the analytic count; runCompare gives every method the same budget and agreement 1
// with the unreduced model at no reduction.
#include "core/io/image_io.h"
#include "core/reduction/compare_api.h"
#include "tests/common/test_paths.h"

#include <QtTest>

#include <cmath>

using namespace ts;

class TestBudgetSolver : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void landsWithinOnePercent_data();
    void landsWithinOnePercent();
    void measuredEqualsSolved();
    void compareAtOneBudget();
    void badTargetRefused();
};

void TestBudgetSolver::landsWithinOnePercent_data()
{
    QTest::addColumn<QString>("preset");
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("method");
    for (const char* preset : {"vit-ti16", "vit-s16", "vit-b16"})
        for (int size : {224, 384})
            for (int m = 0; m < 4; ++m)
                QTest::addRow("%s %d %s", preset, size, reductionMethodName(static_cast<ReductionMethod>(m)))
                    << QString(preset) << size << m;
}

void TestBudgetSolver::landsWithinOnePercent()
{
    QFETCH(QString, preset);
    QFETCH(int, size);
    QFETCH(int, method);
    VitConfig config = vitPreset(preset.toStdString());
    config.imageSize = size;
    ReductionOptions o;
    o.method = static_cast<ReductionMethod>(method);
    const double plain = plainVitFlops(config);
    // EViT prunes at three layers only, where the paper puts it: from 60% of the cost upwards.
    const std::vector<double> fractions = o.method == ReductionMethod::EVit ? std::vector<double>{0.6, 0.7, 0.8, 0.9, 0.97}
                                                                            : std::vector<double>{0.5, 0.6, 0.7, 0.8, 0.9, 0.97};
    for (double f : fractions) {
        const BudgetSchedule b = solveBudget(config, o, f * plain);
        QVERIFY2(b.withinTolerance, qPrintable(QString("%1 of %2 GFLOPs: got %3").arg(f).arg(plain / 1e9).arg(b.flops / 1e9)));
        QVERIFY(std::abs(b.flops - f * plain) <= 0.01 * f * plain);
        QCOMPARE(b.plainFlops, plain);
        QCOMPARE(static_cast<int>(b.tokens.size()), config.depth);
    }
}

void TestBudgetSolver::measuredEqualsSolved()
{
    ModelSource source;
    source.preset = "vit-ti16";
    source.seed = 2;
    const VitModelPtr model = buildVit(source);
    const cv::Mat image = loadImage(test::sampleImage("chelsea.png").toStdString()).rgb;
    for (int m = 0; m < 4; ++m) {
        ReductionOptions o;
        o.method = static_cast<ReductionMethod>(m);
        const BudgetSchedule b = solveBudget(vitConfigOf(*model), o, 0.7 * plainVitFlops(vitConfigOf(*model)));
        ToMeRequest request;
        request.model = model;
        request.imageRgb = image;
        request.reduction = o;
        request.schedule = ToMeSchedule::explicitList(b.perLayer);
        request.measurePlain = false;
        const ToMeResult r = runToMe(request);
        QCOMPARE(r.flopsMerged.matmulTotal(), b.flops);
        QCOMPARE(std::vector<int>(r.tokens.begin() + 1, r.tokens.end()), b.tokens);
    }
}

void TestBudgetSolver::compareAtOneBudget()
{
    ModelSource source;
    source.preset = "vit-ti16";
    source.seed = 2;
    CompareRequest request;
    request.model = buildVit(source);
    request.imageRgb = loadImage(test::sampleImage("chelsea.png").toStdString()).rgb;
    const double plain = plainVitFlops(vitConfigOf(*request.model));
    for (int m = 0; m < 4; ++m) {
        ReductionOptions o;
        o.method = static_cast<ReductionMethod>(m);
        request.methods.push_back(o);
    }
    // The whole budget: no method reduces, every output is the plain one.
    request.targetFlops = plain;
    CompareResult all = runCompare(request);
    for (const MethodComparison& c : all.methods) {
        QCOMPARE(c.budget.flops, plain);
        QCOMPARE(c.agreement.cosine, 1.0);
        QCOMPARE(c.agreement.kl, 0.0);
        QVERIFY(c.agreement.top1Same);
    }
    request.targetFlops = 0.65 * plain;
    const CompareResult some = runCompare(request);
    for (const MethodComparison& c : some.methods) {
        QVERIFY(c.budget.withinTolerance);
        QCOMPARE(c.run.flopsMerged.matmulTotal(), c.budget.flops);
        QVERIFY(c.agreement.cosine < 1.0 && c.agreement.cosine > 0.0);
        QVERIFY(c.agreement.kl > 0.0);
    }
}

void TestBudgetSolver::badTargetRefused()
{
    ReductionOptions o;
    QVERIFY_THROWS_EXCEPTION(Error, solveBudget(vitPreset("vit-ti16"), o, -1));
    VitConfig both = vitPreset("vit-ti16"); // a head on the class token and the patch mean
    both.pool = VitPool::TokenAndAverage;
    QVERIFY_THROWS_EXCEPTION(Error, solveBudget(both, o, 1e9));
}

QTEST_GUILESS_MAIN(TestBudgetSolver)
#include "tst_budget_solver.moc"
