// ops::matmul's threaded batched path (core/nn/ops.cpp) computes the product torch::matmul
// computes: the attention shapes of ViT, FIT and FAM (strided views of the qkv projection,
// broadcast leading dimensions), under inference mode and outside it, with the FLOPs counted as
// before. Both are compared with the product in double precision, within the forward error bound
// of a float dot product of length k in any summation order (Higham, Accuracy and Stability of
// Numerical Algorithms, 2nd ed., Eq. 3.5): |c - c_ref| <= gamma_k * (|A| |B|), gamma_k = k u / (1 - k u),
// u = 2^-24. Which BLAS kernel runs (OPENBLAS_CORETYPE) changes the summation order and so the
// last bits, never the bound, so the test holds on every kernel; bit equality with torch::matmul
// is not a property of the product (it holds only where both hand BLAS the same views).
// Products of at least kOneDnnMinMacs per matrix run through oneDNN (core/nn/onednn_matmul.h):
// the same bound is checked for them, for linear layers of more rows than the packed kernel
// takes, and that oneDNN really computed them.
#include "core/nn/flop_counter.h"
#include "core/nn/onednn_matmul.h"
#include "core/nn/ops.h"
#include "core/util/threads.h"

#include <c10/core/InferenceMode.h>

#include <QtTest>

#include <cmath>

using namespace ts;

namespace {

// True when every element of `c` (a float product of a and b) lies within gamma_k * (|a| |b|) of
// the product computed in double precision; prints the worst element otherwise.
bool withinFloatBound(const torch::Tensor& c, const torch::Tensor& a, const torch::Tensor& b)
{
    const torch::Tensor ad = a.to(torch::kDouble), bd = b.to(torch::kDouble);
    const torch::Tensor reference = torch::matmul(ad, bd);
    const torch::Tensor magnitude = torch::matmul(ad.abs(), bd.abs());
    const double k = static_cast<double>(a.size(-1));
    const double u = std::ldexp(1.0, -24);
    const double gamma = k * u / (1.0 - k * u);
    if (c.numel() == 0)
        return true;
    const torch::Tensor excess = (c.to(torch::kDouble) - reference).abs() - gamma * magnitude;
    const double worst = excess.max().item<double>();
    if (worst > 0.0)
        qWarning("error exceeds gamma_k |A||B| by %g (k = %g)", worst, k);
    return worst <= 0.0;
}

} // namespace

class TestBatchedMatmul : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { configureThreads(2); }
    void equalsTorchMatmul_data();
    void equalsTorchMatmul();
    void inferenceModeAndGrad();
    void largeLinearThroughOneDnn();
};

void TestBatchedMatmul::equalsTorchMatmul_data()
{
    QTest::addColumn<QList<int>>("aShape");
    QTest::addColumn<QList<int>>("bShape");
    QTest::addColumn<bool>("qkvViews");
    QTest::newRow("ViT-S heads, q k^T") << QList<int>{1, 6, 197, 64} << QList<int>{1, 6, 64, 197} << true;
    QTest::newRow("ViT-B heads, batch 2 (copied by matmul)") << QList<int>{2, 12, 101, 64} << QList<int>{2, 12, 64, 101}
                                                              << true;
    QTest::newRow("weights x v") << QList<int>{1, 6, 197, 197} << QList<int>{1, 6, 197, 64} << false;
    QTest::newRow("3-D batch (FIT groups)") << QList<int>{64, 64, 32} << QList<int>{64, 32, 64} << false;
    QTest::newRow("broadcast keys over batch") << QList<int>{4, 6, 80, 64} << QList<int>{1, 6, 64, 80} << false;
    QTest::newRow("broadcast over heads") << QList<int>{2, 6, 80, 64} << QList<int>{2, 1, 64, 80} << false;
    QTest::newRow("too small to thread") << QList<int>{1, 6, 21, 64} << QList<int>{1, 6, 64, 21} << true;
    QTest::newRow("empty batch broadcast") << QList<int>{0, 6, 80, 64} << QList<int>{1, 6, 64, 80} << false;
    QTest::newRow("FIT latents, q k^T (oneDNN)") << QList<int>{1, 6, 1024, 64} << QList<int>{1, 6, 64, 1024} << true;
    QTest::newRow("broadcast keys (oneDNN)") << QList<int>{3, 2, 512, 64} << QList<int>{1, 2, 64, 512} << false;
    QTest::newRow("2-D product (oneDNN)") << QList<int>{1024, 384} << QList<int>{384, 700} << false;
    QTest::newRow("tiny slices (bmm's own loop)") << QList<int>{300, 4, 3} << QList<int>{300, 3, 4} << false;
}

void TestBatchedMatmul::equalsTorchMatmul()
{
    QFETCH(QList<int>, aShape);
    QFETCH(QList<int>, bShape);
    QFETCH(bool, qkvViews);
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
    QVERIFY(withinFloatBound(got, a, b));
    QVERIFY(withinFloatBound(expected, a, b));
    const double macs = static_cast<double>(expected.numel()) * static_cast<double>(a.size(-1));
    if (macs > 0)
        QCOMPARE(flops.tally().matmulByPart.at("attn_qk"), 2.0 * macs);
    // The products of oneDNN's size are its own, not a fallback's.
    const double macsPerMatrix = double(a.size(-2)) * double(a.size(-1)) * double(b.size(-1));
    if (oneDnnEnabled() && macsPerMatrix >= kOneDnnMinMacs && a.numel() > 0) {
        const torch::Tensor direct = oneDnnMatmul(a, b);
        QVERIFY(direct.defined());
        QVERIFY(withinFloatBound(direct, a, b));
    }
}

void TestBatchedMatmul::largeLinearThroughOneDnn()
{
    // A ViT-S qkv layer at batch 4 (788 rows, above the packed kernel's 400): x W^T + b within the
    // bound of the product plus the bias's one rounding.
    torch::manual_seed(5);
    const torch::nn::Linear layer(torch::nn::LinearOptions(384, 1152));
    c10::InferenceMode guard;
    const torch::Tensor x = torch::randn({4, 197, 384});
    FlopCountScope flops;
    const torch::Tensor got = ops::linear(x, layer, "qkv");
    QCOMPARE(got.sizes(), (std::vector<std::int64_t>{4, 197, 1152}));
    QCOMPARE(flops.tally().matmulByPart.at("qkv"), 2.0 * 788 * 384 * 1152);
    const torch::Tensor w = layer->weight.t();
    const torch::Tensor withoutBias = got - layer->bias; // exact up to one rounding per element
    const torch::Tensor slack = got.abs() * std::ldexp(1.0, -23);
    const torch::Tensor a = x.reshape({788, 384}), product = withoutBias.reshape({788, 1152});
    const torch::Tensor reference = torch::matmul(a.to(torch::kDouble), w.to(torch::kDouble));
    const double k = 384, u = std::ldexp(1.0, -24), gamma = (k + 1) * u / (1 - (k + 1) * u);
    const torch::Tensor bound = gamma * torch::matmul(a.abs().to(torch::kDouble), w.abs().to(torch::kDouble))
                                + slack.reshape({788, 1152}).to(torch::kDouble) * 2;
    QVERIFY(((product.to(torch::kDouble) - reference).abs() <= bound).all().item<bool>());
    if (oneDnnEnabled())
        QVERIFY(oneDnnMatmul(a, w, layer->bias).defined());
}

void TestBatchedMatmul::inferenceModeAndGrad()
{
    torch::manual_seed(2);
    const torch::Tensor a = torch::randn({1, 6, 120, 64}), b = torch::randn({1, 6, 64, 120});
    {
        // The pool's threads write the result under the caller's inference mode.
        c10::InferenceMode guard;
        const torch::Tensor x = torch::randn({1, 6, 120, 64}), y = torch::randn({1, 6, 64, 120});
        const torch::Tensor got = ops::matmul(x, y, "t");
        QVERIFY(got.is_inference());
        QVERIFY(withinFloatBound(got, x, y));
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
