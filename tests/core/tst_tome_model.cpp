// ToMe in a whole ViT: r = 0 is the plain model, schedules follow the authors' parse_r, and the
// recorded merge state (sources, sizes, token counts) is consistent at every layer.
#include "core/io/image_io.h"
#include "core/tome/tome_api.h"
#include "core/vit/vit_handle.h"
#include "core/vit/vit_runner.h"
#include "tests/common/layer_state.h"
#include "tests/common/test_paths.h"

#include <QtTest>

#include <c10/core/InferenceMode.h>

using namespace ts;

class TestTomeModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void rZeroEqualsPlainVit();
    void schedule_data();
    void schedule();
    void layerStateIsConsistent_data();
    void layerStateIsConsistent();
    void lineageJoinsOnlyGrow();
    void flopsShrinkWithMerging();

private:
    VitModelPtr m_model;
    cv::Mat m_image;
};

void TestTomeModel::initTestCase()
{
    ModelSource source;
    source.preset = "vit-ti16";
    source.seed = 3;
    m_model = buildVit(source);
    m_image = loadImage(test::sampleImage("chelsea.png").toStdString()).rgb;
}

void TestTomeModel::rZeroEqualsPlainVit()
{
    ToMeRequest request;
    request.model = m_model;
    request.imageRgb = m_image;
    request.schedule = ToMeSchedule::constant(0);
    request.measurePlain = false;
    ToMeResult result = runToMe(request);
    QCOMPARE(result.tokens.back(), 197);

    c10::InferenceMode guard;
    const torch::Tensor input = imageToTensor(centreCrop(m_image, 224).rgb);
    const torch::Tensor plain = m_model->net->forward(input);
    const auto top = topClasses(plain, 5);
    QCOMPARE(result.top5.size(), top.size());
    for (std::size_t i = 0; i < top.size(); ++i) {
        QCOMPARE(result.top5[i].index, top[i].index);
        QCOMPARE(result.top5[i].probability, top[i].probability); // exactly: the same operations
    }
}

void TestTomeModel::schedule_data()
{
    QTest::addColumn<int>("r");
    QTest::addColumn<double>("inflection");
    QTest::addColumn<QList<int>>("expected");
    // parse_r(12, (r, inflect)): min = int(r(1 - inflect)), max = 2r - min, linear, truncated.
    QTest::newRow("constant") << 8 << 0.0 << QList<int>{8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
    QTest::newRow("decreasing r=16 -0.5") << 16 << -0.5 << QList<int>{24, 22, 21, 19, 18, 16, 15, 13, 12, 10, 9, 8};
    QTest::newRow("increasing r=10 +0.5") << 10 << 0.5 << QList<int>{5, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
}

void TestTomeModel::schedule()
{
    QFETCH(int, r);
    QFETCH(double, inflection);
    QFETCH(QList<int>, expected);
    const std::vector<int> got = ToMeSchedule::withInflection(r, inflection).perLayer(12);
    QCOMPARE(QList<int>(got.begin(), got.end()), expected);
}

void TestTomeModel::layerStateIsConsistent_data()
{
    QTest::addColumn<int>("r");
    QTest::addColumn<bool>("proportional");
    QTest::newRow("r=8") << 8 << true;
    QTest::newRow("r=16 no prop attn") << 16 << false;
    QTest::newRow("r=40 (clamped late)") << 40 << true;
}

void TestTomeModel::layerStateIsConsistent()
{
    QFETCH(int, r);
    QFETCH(bool, proportional);
    ToMeRequest request;
    request.model = m_model;
    request.imageRgb = m_image;
    request.schedule = ToMeSchedule::constant(r);
    request.proportionalAttention = proportional;
    const ToMeResult result = runToMe(request);
    const std::vector<int> counts = tokenCountsAfterMerging(197, std::vector<int>(12, r));
    QCOMPARE(static_cast<int>(result.tokens.size()), 13);
    for (int k = 1; k <= 12; ++k)
        QCOMPARE(result.tokens[static_cast<std::size_t>(k)], counts[static_cast<std::size_t>(k - 1)]);
    std::string why;
    QVERIFY2(test::layerStateIsConsistent(result, why), why.c_str());
}

void TestTomeModel::lineageJoinsOnlyGrow()
{
    ToMeRequest request;
    request.model = m_model;
    request.imageRgb = m_image;
    request.schedule = ToMeSchedule::constant(12);
    const ToMeResult result = runToMe(request);
    const int layer = 12, patch = 100;
    const std::vector<int> joins = joinLayers(result, layer, patch);
    const int holder = result.tokenOfPatch[layer][patch];
    int members = 0;
    for (std::size_t p = 0; p < joins.size(); ++p) {
        const bool inGroup = result.tokenOfPatch[layer][p] == holder;
        QCOMPARE(joins[p] >= 0, inGroup);
        members += inGroup;
        if (inGroup && static_cast<int>(p) != patch) {
            const int k = joins[p];
            QVERIFY(k >= 1 && k <= layer);
            // Together from block k on, apart just before.
            for (int l = k; l <= layer; ++l)
                QCOMPARE(result.tokenOfPatch[l][p], result.tokenOfPatch[l][patch]);
            QVERIFY(result.tokenOfPatch[k - 1][p] != result.tokenOfPatch[k - 1][patch]);
        }
    }
    QCOMPARE(joins[patch], 0);
    QCOMPARE(members, result.sizes[layer][holder]);
}

void TestTomeModel::flopsShrinkWithMerging()
{
    ToMeRequest request;
    request.model = m_model;
    request.imageRgb = m_image;
    request.schedule = ToMeSchedule::constant(16);
    const ToMeResult result = runToMe(request);
    // Plain ViT-Ti/16 at 224: 12 * (24 N d^2 + 4 N^2 d) + patch embed + head, N = 197, d = 192.
    const double n = 197, d = 192;
    const double expected = 12 * (24 * n * d * d + 4 * n * n * d) + 2 * 196 * 768 * d + 2 * d * 1000;
    QCOMPARE(result.flopsPlain.matmulTotal(), expected);
    QVERIFY(result.flopsMerged.matmulTotal() < 0.7 * expected);
}

QTEST_GUILESS_MAIN(TestTomeModel)
#include "tst_tome_model.moc"
