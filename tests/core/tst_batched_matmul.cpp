// ops::matmul's threaded batched path (core/nn/ops.cpp) gives torch::matmul's result, bit for
// bit where torch::matmul hands bmm the same views, to float rounding where it copies them first:
// the attention shapes of ViT, FIT and FAM (strided views of the qkv projection, broadcast
// leading dimensions), under inference mode and outside it, with the FLOPs counted as before.
#include "core/nn/flop_counter.h"
#include "core/nn/ops.h"
#include "core/util/threads.h"

#include <c10/core/InferenceMode.h>

#include <QtTest>

using namespace ts;

class TestBatchedMatmul : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { configureThreads(2); }
    void equalsTorchMatmul_data();
    void equalsTorchMatmul();
    void inferenceModeAndGrad();
};

void TestBatchedMatmul::equalsTorchMatmul_data()
{
    QTest::addColumn<QList<int>>("aShape");
    QTest::addColumn<QList<int>>("bShape");
    QTest::addColumn<bool>("qkvViews");
    QTest::addColumn<bool>("exact");
    QTest::newRow("ViT-S heads, q k^T") << QList<int>{1, 6, 197, 64} << QList<int>{1, 6, 64, 197} << true << true;
    QTest::newRow("ViT-B heads, batch 2 (copied by matmul)") << QList<int>{2, 12, 101, 64} << QList<int>{2, 12, 64, 101}
                                                              << true << false;
    QTest::newRow("weights x v") << QList<int>{1, 6, 197, 197} << QList<int>{1, 6, 197, 64} << false << true;
    QTest::newRow("3-D batch (FIT groups)") << QList<int>{64, 64, 32} << QList<int>{64, 32, 64} << false << true;
    QTest::newRow("broadcast keys over batch") << QList<int>{4, 6, 80, 64} << QList<int>{1, 6, 64, 80} << false << false;
    QTest::newRow("broadcast over heads") << QList<int>{2, 6, 80, 64} << QList<int>{2, 1, 64, 80} << false << false;
    QTest::newRow("too small to thread") << QList<int>{1, 6, 21, 64} << QList<int>{1, 6, 64, 21} << true << true;
    QTest::newRow("empty batch broadcast") << QList<int>{0, 6, 80, 64} << QList<int>{1, 6, 64, 80} << false << true;
    QTest::newRow("tiny slices (bmm's own loop)") << QList<int>{300, 4, 3} << QList<int>{300, 3, 4} << false << true;
}

void TestBatchedMatmul::equalsTorchMatmul()
{
    QFETCH(QList<int>, aShape);
    QFETCH(QList<int>, bShape);
    QFETCH(bool, qkvViews);
    QFETCH(bool, exact);
    torch::manual_seed(aShape.back() * 31 + bShape.back());
    const std::vector<std::int64_t> as(aShape.begin(), aShape.end()), bs(bShape.begin(), bShape.end());
    torch::Tensor a = torch::randn(as), b = torch::randn(bs);
    if (qkvViews) {
        // As the attention sees them: q and k^T are views of one [B, N, 3, H, d] projection.
        const std::int64_t batch = as[0], heads = as[1], n = as[2], d = as[3];
        const torch::Tensor qkv = torch::randn({batch, n, 3, heads, d}).permute({2, 0, 3, 1, 4});
        a = qkv[0];
        b = qkv[1].transpose(-2, -1);
        QVERIFY(!a.is_contiguous() && !b.is_contiguous());
    }
    FlopCountScope flops;
    const torch::Tensor got = ops::matmul(a, b, "attn_qk");
    const torch::Tensor expected = torch::matmul(a, b);
    QCOMPARE(got.sizes(), expected.sizes());
    if (exact)
        QVERIFY(torch::equal(got, expected));
    else
        QVERIFY(torch::allclose(got, expected, /*rtol=*/1e-5, /*atol=*/1e-5));
    const double macs = static_cast<double>(expected.numel()) * static_cast<double>(a.size(-1));
    if (macs > 0)
        QCOMPARE(flops.tally().matmulByPart.at("attn_qk"), 2.0 * macs);
}

void TestBatchedMatmul::inferenceModeAndGrad()
{
    torch::manual_seed(2);
    const torch::Tensor a = torch::randn({1, 6, 120, 64}), b = torch::randn({1, 6, 64, 120});
    {
        // The pool's threads write the result under the caller's inference mode.
        c10::InferenceMode guard;
        const torch::Tensor x = torch::randn({1, 6, 120, 64}), y = torch::randn({1, 6, 64, 120});
        QVERIFY(torch::equal(ops::matmul(x, y, "t"), torch::matmul(x, y)));
    }
    // With autograd recording, the result still has its graph (torch's path is taken).
    const torch::Tensor ag = a.clone().requires_grad_(true);
    const torch::Tensor out = ops::matmul(ag, b, "t");
    QVERIFY(out.requires_grad());
    out.sum().backward();
    QVERIFY(torch::allclose(ag.grad(), b.sum(-1).unsqueeze(-2).expand_as(a), 1e-5, 1e-4));
}

QTEST_GUILESS_MAIN(TestBatchedMatmul)
#include "tst_batched_matmul.moc"
