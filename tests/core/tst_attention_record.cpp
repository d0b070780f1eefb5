// Attention views: rows sum to one, the r = 0 map is softmax(QK^T / sqrt(d)) of the plain model
// (computed here from the block's weights), spreading through ToMe's sources keeps the total
// weight, and rollout of identity attention is the identity.
#include "core/tome/bipartite_matching.h"
#include "core/util/error.h"
#include "core/vit/attention_math.h"
#include "core/vit/attention_record.h"
#include "core/vit/vit_handle.h"
#include "core/vit/vit_runner.h"
#include "tests/core/reference_vit.h"

#include <QTemporaryDir>
#include <QtTest>

#include <c10/core/InferenceMode.h>

using namespace ts;
namespace F = torch::nn::functional;

namespace {

VitModelPtr distilledModel(const QTemporaryDir& dir)
{
    test::RefArch a;
    a.dist = a.distHead = true;
    a.rows = a.cols = 4;
    const std::string path = dir.filePath("att.safetensors").toStdString();
    test::writeTensors(path, test::timmWeights(a, 21), {{"num_heads", "2"}});
    ModelSource source;
    source.checkpoint = path;
    source.imageSize = 64;
    return buildVit(source);
}

cv::Mat image(unsigned seed)
{
    cv::Mat m(64, 64, CV_8UC3);
    cv::theRNG().state = seed;
    cv::randu(m, cv::Scalar::all(0), cv::Scalar::all(255));
    return m;
}

double total(const std::vector<float>& v)
{
    double s = 0;
    for (float x : v)
        s += x;
    return s;
}

} // namespace

class TestAttentionRecord : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { m_model = distilledModel(m_dir); }
    void rowsSumToOne_data();
    void rowsSumToOne();
    void plainMapIsSoftmaxOfScores();
    void spreadingKeepsTotalWeight();
    void rolloutOfIdentityIsIdentity();
    void refused();

private:
    QTemporaryDir m_dir;
    VitModelPtr m_model;
};

void TestAttentionRecord::rowsSumToOne_data()
{
    QTest::addColumn<int>("r");
    QTest::addColumn<int>("head");
    QTest::addColumn<int>("method");
    const int tome = int(ReductionMethod::ToMe);
    QTest::newRow("plain, mean") << 0 << -1 << tome;
    QTest::newRow("plain, head 1") << 0 << 1 << tome;
    QTest::newRow("merged, mean") << 4 << -1 << tome;
    QTest::newRow("merged, head 0") << 4 << 0 << tome;
    QTest::newRow("pitome, mean") << 4 << -1 << int(ReductionMethod::PiToMe);
    QTest::newRow("atc, head 1") << 4 << 1 << int(ReductionMethod::Atc);
    QTest::newRow("evit, mean") << 4 << -1 << int(ReductionMethod::EVit);
}

void TestAttentionRecord::rowsSumToOne()
{
    QFETCH(int, r);
    QFETCH(int, head);
    QFETCH(int, method);
    AttentionRequest request;
    request.model = m_model;
    request.imageRgb = image(1);
    request.schedule = ToMeSchedule::constant(r);
    request.reduction.method = ReductionMethod(method);
    if (request.reduction.method == ReductionMethod::EVit)
        request.reduction.layers = {0, 1}; // both blocks, like the others
    request.block = 1;
    request.head = head;
    request.rollout = true;
    const AttentionResult result = runAttention(request);
    QCOMPARE(result.merged, r > 0);
    QCOMPARE(result.tokens, r > 0 ? 14 : 18);
    QCOMPARE(result.prefixToPatches.size(), std::size_t(2)); // class and distillation rows
    for (std::size_t p = 0; p < 2; ++p) {
        QCOMPARE(result.prefixToPatches[p].size(), std::size_t(16));
        QVERIFY(std::abs(total(result.prefixToPatches[p]) + total(result.prefixToPrefix[p]) - 1.0) < 1e-5);
    }
    QCOMPARE(result.classToPatches, result.prefixToPatches[0]);
    // A rollout row is a distribution over the original tokens: its patch part is at most one.
    QCOMPARE(result.rolloutToPatches.size(), std::size_t(16));
    const double rolled = total(result.rolloutToPatches);
    QVERIFY(rolled > 0 && rolled < 1 + 1e-5);
    for (float v : result.rolloutToPatches)
        QVERIFY(v >= 0);
}

void TestAttentionRecord::plainMapIsSoftmaxOfScores()
{
    AttentionRequest request;
    request.model = m_model;
    request.imageRgb = image(2);
    request.block = 1;
    request.head = 1;
    const AttentionResult result = runAttention(request);

    c10::InferenceMode guard;
    const VisionTransformerImpl& net = *m_model->net;
    torch::Tensor x = net.block(0)->forward(net.embed(imageToTensor(result.crop)));
    auto params = net.named_parameters();
    const torch::Tensor h = F::layer_norm(x, F::LayerNormFuncOptions({32}).weight(params["blocks.1.norm1.weight"])
                                                 .bias(params["blocks.1.norm1.bias"]).eps(1e-6));
    const torch::Tensor qkv = F::linear(h, params["blocks.1.attn.qkv.weight"], params["blocks.1.attn.qkv.bias"]);
    const torch::Tensor q = qkv.narrow(2, 16, 16), k = qkv.narrow(2, 32 + 16, 16); // head 1 of 2, 16 wide
    const torch::Tensor probs = torch::softmax(torch::matmul(q, k.transpose(1, 2)) / 4.0, -1)[0];
    const torch::Tensor want = probs[0].narrow(0, 2, 16);
    const torch::Tensor got = torch::tensor(result.classToPatches);
    QVERIFY2(torch::allclose(got, want, 1e-4, 1e-6), qPrintable(QString::number((got - want).abs().max().item<double>())));
    QVERIFY(std::abs(result.prefixToPrefix[0][1] - probs[0][1].item<float>()) < 1e-5);
}

void TestAttentionRecord::spreadingKeepsTotalWeight()
{
    torch::manual_seed(3);
    const MergePlan plan = bipartiteSoftMatching(torch::randn({1, 11, 8}), 3, 1);
    const torch::Tensor source = mergeSource(plan, torch::eye(11).unsqueeze(0))[0]; // [8, 11]
    const torch::Tensor size = source.sum(1);
    const torch::Tensor row = torch::softmax(torch::randn({8}), 0);
    const std::vector<int> to = mergedTokenIndex(plan, 11); // the holder of each original token
    const torch::Tensor spread = spreadOverSources(row, to, size);
    QCOMPARE(spread.size(0), 11L);
    QVERIFY(std::abs(spread.sum().item<double>() - 1.0) < 1e-6);
    // Each token's weight is shared equally by the tokens it holds.
    for (int n = 0; n < 8; ++n)
        for (int n0 = 0; n0 < 11; ++n0)
            if (source[n][n0].item<float>() > 0)
                QVERIFY(std::abs(spread[n0].item<float>() - row[n].item<float>() / size[n].item<float>()) < 1e-7);
    // Rollout rows follow the same map as ToMe's merge_wavg of any [N, *] state.
    const torch::Tensor rows = torch::softmax(torch::randn({11, 11}), 1), sizes = torch::rand({11}) + 0.5;
    const torch::Tensor want = mergeWeightedAverage(plan, rows.unsqueeze(0), sizes.reshape({1, 11, 1})).first[0];
    const torch::Tensor got = mergeRolloutRows(rows, to, sizes, 8);
    QVERIFY(torch::allclose(got, want, 1e-5, 1e-6));
    QVERIFY(torch::allclose(got.sum(1), torch::ones({8}), 1e-5, 1e-6));
}

void TestAttentionRecord::rolloutOfIdentityIsIdentity()
{
    torch::Tensor rollout = torch::eye(7);
    for (int i = 0; i < 5; ++i)
        rollout = rolloutStep(rollout, torch::eye(7));
    QVERIFY(torch::equal(rollout, torch::eye(7)));
    // And one step of uniform attention is 0.5 I + 0.5 / N everywhere.
    const torch::Tensor one = rolloutStep(torch::eye(4), torch::full({4, 4}, 0.25f));
    QVERIFY(torch::allclose(one, 0.5 * torch::eye(4) + 0.125, 1e-6, 1e-7));
}

void TestAttentionRecord::refused()
{
    AttentionRequest request;
    request.model = m_model;
    request.imageRgb = image(3);
    request.block = 2; // the model has 2 blocks (0 and 1)
    try {
        runAttention(request);
        QFAIL("block 3 of 2 was accepted");
    } catch (const ts::Error& e) {
        QVERIFY2(QString(e.what()).contains("block 3 is outside 1..2"), e.what());
    }
    request.block = 0;
    request.head = 2;
    QVERIFY_THROWS_EXCEPTION(ts::Error, runAttention(request));
}

QTEST_GUILESS_MAIN(TestAttentionRecord)
#include "tst_attention_record.moc"
