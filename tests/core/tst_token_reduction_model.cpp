// Every token-reduction method in a whole ViT (runToMe with ReductionOptions): token counts
// follow each method's schedule, prefix tokens are never merged, the sources partition the
// patches at every layer, measured FLOPs equal the analytic count, r = 0 is the plain model,
// and proportional attention is applied only where the method's paper uses it.
#include "core/io/image_io.h"
#include "core/reduction/reduction_flops.h"
#include "core/tome/tome_api.h"
#include "core/tome/tome_memory.h"
#include "tests/common/layer_state.h"
#include "tests/common/test_paths.h"

#include <QtTest>

#include <algorithm>

using namespace ts;

Q_DECLARE_METATYPE(ts::ReductionOptions)

class TestTokenReductionModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void layerStateIsConsistent_data();
    void layerStateIsConsistent();
    void rZeroIsThePlainModel_data();
    void rZeroIsThePlainModel();
    void methodsDiffer();
    void badOptionsRefused();
    void memoryCheckedBeforeRun();

private:
    ToMeResult run(const ReductionOptions& o, int r) const;
    VitModelPtr m_model;
    cv::Mat m_image;
};

namespace {

ReductionOptions options(ReductionMethod m)
{
    ReductionOptions o;
    o.method = m;
    return o;
}

} // namespace

void TestTokenReductionModel::initTestCase()
{
    ModelSource source;
    source.preset = "vit-ti16";
    source.seed = 5;
    m_model = buildVit(source);
    m_image = loadImage(test::sampleImage("chelsea.png").toStdString()).rgb;
}

ToMeResult TestTokenReductionModel::run(const ReductionOptions& o, int r) const
{
    ToMeRequest request;
    request.model = m_model;
    request.imageRgb = m_image;
    request.schedule = ToMeSchedule::constant(r);
    request.reduction = o;
    return runToMe(request);
}

void TestTokenReductionModel::layerStateIsConsistent_data()
{
    QTest::addColumn<ReductionOptions>("o");
    QTest::addColumn<int>("r");
    QTest::addColumn<QList<int>>("expected"); // tokens after each block
    QTest::newRow("tome r=8") << options(ReductionMethod::ToMe) << 8
                              << QList<int>{189, 181, 173, 165, 157, 149, 141, 133, 125, 117, 109, 101};
    QTest::newRow("pitome r=8") << options(ReductionMethod::PiToMe) << 8
                                << QList<int>{189, 181, 173, 165, 157, 149, 141, 133, 125, 117, 109, 101};
    ReductionOptions ratio = options(ReductionMethod::PiToMe);
    ratio.keepRatio = 0.9; // r = floor(T - 0.9 T) of the T non-class tokens: 19, 17, 16, 14, ...
    QTest::newRow("pitome keep 0.9") << ratio << 0 << QList<int>{178, 161, 145, 131, 118, 107, 97, 88, 80, 73, 66, 60};
    for (Linkage l : {Linkage::Single, Linkage::Complete, Linkage::Average}) {
        ReductionOptions atc = options(ReductionMethod::Atc);
        atc.linkage = l;
        QTest::addRow("atc %s r=12", linkageName(l)) << atc << 12
                                                     << QList<int>{185, 173, 161, 149, 137, 125, 113, 101, 89, 77, 65, 53};
    }
    ReductionOptions rate = options(ReductionMethod::EVit);
    rate.keepRate = 0.7;
    QTest::newRow("evit keep 0.7") << rate << 0 << QList<int>{197, 197, 197, 140, 140, 140, 100, 100, 100, 72, 72, 72};
    ReductionOptions evitR = options(ReductionMethod::EVit);
    evitR.layers = {1, 5};
    QTest::newRow("evit r=30 at 2,6") << evitR << 30 << QList<int>{197, 167, 167, 167, 167, 137, 137, 137, 137, 137, 137, 137};
    ReductionOptions atcLayers = options(ReductionMethod::Atc);
    atcLayers.layers = {0, 11};
    QTest::newRow("atc r=100 at 1,12") << atcLayers << 100 << QList<int>{97, 97, 97, 97, 97, 97, 97, 97, 97, 97, 97, 2};
}

void TestTokenReductionModel::layerStateIsConsistent()
{
    QFETCH(ReductionOptions, o);
    QFETCH(int, r);
    QFETCH(QList<int>, expected);
    const ToMeResult result = run(o, r);
    QCOMPARE(result.method, o.method);
    QCOMPARE(QList<int>(result.tokens.begin() + 1, result.tokens.end()), expected);
    std::string why;
    QVERIFY2(test::layerStateIsConsistent(result, why), why.c_str()); // prefix kept, sources partition the patches
    // Measured (the run's own products) = analytic (core/flops, the method's selection step).
    QCOMPARE(result.flopsMerged.matmulTotal(), result.flopsAnalytic);
    const FlopBreakdown analytic = reducedFlops(result.config, o.method, result.rApplied);
    for (const auto& [part, flops] : analytic.parts) {
        const auto it = result.flopsMerged.matmulByPart.find(part);
        QVERIFY2(it != result.flopsMerged.matmulByPart.end(), part.c_str());
        QCOMPARE(it->second, flops);
    }
    QCOMPARE(result.proportionalAttention, o.method != ReductionMethod::EVit);
    // A merged region's lineage works for every method.
    const std::vector<int> joins = joinLayers(result, result.depth(), 0);
    QCOMPARE(static_cast<int>(std::count_if(joins.begin(), joins.end(), [](int j) { return j >= 0; })),
             result.sizes.back()[static_cast<std::size_t>(result.tokenOfPatch.back()[0])]);
}

void TestTokenReductionModel::rZeroIsThePlainModel_data()
{
    QTest::addColumn<int>("method");
    QTest::newRow("pitome") << static_cast<int>(ReductionMethod::PiToMe);
    QTest::newRow("atc") << static_cast<int>(ReductionMethod::Atc);
    QTest::newRow("evit") << static_cast<int>(ReductionMethod::EVit);
}

void TestTokenReductionModel::rZeroIsThePlainModel()
{
    QFETCH(int, method);
    const ToMeResult plain = run(options(ReductionMethod::ToMe), 0);
    const ToMeResult result = run(options(static_cast<ReductionMethod>(method)), 0);
    QCOMPARE(result.tokens.back(), 197);
    QCOMPARE(result.output, plain.output); // the same operations, bit for bit
    QCOMPARE(result.flopsMerged.matmulTotal(), result.flopsPlain.matmulTotal());
}

void TestTokenReductionModel::methodsDiffer()
{
    // Same budget (r = 12 every block), different groupings and outputs.
    const ToMeResult tome = run(options(ReductionMethod::ToMe), 12);
    const ToMeResult pitome = run(options(ReductionMethod::PiToMe), 12);
    const ToMeResult atc = run(options(ReductionMethod::Atc), 12);
    QCOMPARE(tome.tokens, pitome.tokens);
    QVERIFY(tome.tokenOfPatch.back() != pitome.tokenOfPatch.back());
    QVERIFY(atc.tokenOfPatch.back() != tome.tokenOfPatch.back());
    QVERIFY(pitome.output != tome.output);
    QVERIFY(pitome.flopsMerged.matmulByPart.count("pitome_energy") == 1);
    QVERIFY(atc.flopsMerged.matmulByPart.count("atc_distance") == 1);
}

void TestTokenReductionModel::badOptionsRefused()
{
    ReductionOptions o = options(ReductionMethod::EVit);
    o.layers = {12};
    QVERIFY_THROWS_EXCEPTION(Error, run(o, 4));
    o = options(ReductionMethod::PiToMe);
    o.keepRatio = 1.5;
    QVERIFY_THROWS_EXCEPTION(Error, run(o, 4));
}

void TestTokenReductionModel::memoryCheckedBeforeRun()
{
    VitConfig big = vitPreset("vit-s16");
    big.imageSize = 2048; // 16,385 tokens: PiToMe's and ATC's N x N similarities dominate
    const double tome = estimateToMeMemoryBytes(big, 1, true);
    QVERIFY(estimateToMeMemoryBytes(big, 1, true, ReductionMethod::PiToMe) > tome);
    QVERIFY(estimateToMeMemoryBytes(big, 1, true, ReductionMethod::Atc)
            > estimateToMeMemoryBytes(big, 1, true, ReductionMethod::PiToMe));
    QVERIFY(estimateToMeMemoryBytes(big, 1, true, ReductionMethod::EVit) > tome);
    for (ReductionMethod m : {ReductionMethod::PiToMe, ReductionMethod::Atc, ReductionMethod::EVit}) {
        try {
            requireToMeMemory(big, 1, true, /*limitBytes=*/1 << 30, m);
            QFAIL("no refusal");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).startsWith(reductionMethodTitle(m)), e.what());
        }
    }
}

QTEST_GUILESS_MAIN(TestTokenReductionModel)
#include "tst_token_reduction_model.moc"
