// The fused CPU attention (core/nn/fused_attention.cpp) against attention computed in double
// precision with torch ops: the shapes of ViT (strided views of the qkv projection, ToMe's key
// bias), FIT (3-D groups, masks over query chunks) and FAM (-inf masks, more keys than queries),
// every tail of the row and key tiles, both kernels; its exp against std::exp; the cases it must
// leave to torch; and scaledDotAttention's FLOP counts and weights through it.
#include "core/nn/attention.h"
#include "core/nn/flop_counter.h"
#include "core/nn/fused_attention.h"
#include "core/util/threads.h"

#include <c10/core/InferenceMode.h>

#include <QtTest>

#include <cmath>
#include <limits>

using namespace ts;

namespace {

enum BiasKind { NoBias, KeyBias, MaskNM, PerHead, PerQuery };

torch::Tensor reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& bias,
                        torch::Tensor* weights = nullptr)
{
    const torch::Tensor qd = q.to(torch::kDouble), kd = k.to(torch::kDouble), vd = v.to(torch::kDouble);
    torch::Tensor logits = torch::matmul(qd / std::sqrt(static_cast<double>(q.size(-1))), kd.transpose(-2, -1));
    if (bias.defined())
        logits = logits + bias.to(torch::kDouble);
    const torch::Tensor p = torch::softmax(logits, -1);
    if (weights)
        *weights = p;
    return torch::matmul(p, vd);
}

double maxError(const torch::Tensor& got, const torch::Tensor& want)
{
    return (got.to(torch::kDouble) - want).abs().max().item<double>();
}

// q, k, v of `heads` heads as views of one projection [X, rows, 3, heads, d] (ViT's layout), or
// separate contiguous tensors; keys may outnumber queries (FAM's memory, FIT's global chunks).
std::array<torch::Tensor, 3> makeQkv(std::int64_t x, std::int64_t heads, std::int64_t n, std::int64_t m, std::int64_t d,
                                     std::int64_t dv, bool views)
{
    if (views && n == m && d == dv) {
        const torch::Tensor t = torch::randn({x, n, 3, heads, d}).permute({2, 0, 3, 1, 4});
        return {t[0], t[1], t[2]};
    }
    return {torch::randn({x, heads, n, d}), torch::randn({x, heads, m, d}), torch::randn({x, heads, m, dv})};
}

torch::Tensor makeBias(BiasKind kind, std::int64_t x, std::int64_t heads, std::int64_t n, std::int64_t m)
{
    switch (kind) {
    case NoBias: return {};
    case KeyBias: return torch::rand({x, 1, 1, m}).add_(0.5).log(); // log(size), ToMe's proportional attention
    case MaskNM: {
        // A banded -inf mask as FAM and FIT build them; every row keeps its diagonal key.
        const torch::Tensor i = torch::arange(n).unsqueeze(1), j = torch::arange(m).unsqueeze(0);
        return torch::zeros({n, m}).masked_fill_((j - i * m / n).abs() > 5, -std::numeric_limits<float>::infinity());
    }
    case PerHead: return torch::randn({1, heads, n, m});
    case PerQuery: return torch::randn({x, heads, n, 1}); // one value per row: softmax cancels it
    }
    return {};
}

} // namespace

class TestFusedAttention : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { configureThreads(2); }
    void equalsReference_data();
    void equalsReference();
    void threeDimensionalGroups();
    void maskedRowsAreNaNAsInTorch();
    void sameResultOnOneAndTwoThreads();
    void leavesOtherCasesToTorch();
    void scaledDotAttentionCountsAndWeights();
    void expMatchesStd_data();
    void expMatchesStd();
    void expSpecialValues();
};

void TestFusedAttention::equalsReference_data()
{
    QTest::addColumn<int>("x");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("m");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("dv");
    QTest::addColumn<bool>("views");
    QTest::addColumn<int>("bias");
    QTest::addColumn<bool>("portable");
    QTest::newRow("ViT-S/16 block, qkv views") << 1 << 6 << 197 << 197 << 64 << 64 << true << int(NoBias) << false;
    QTest::newRow("ViT-S/16 after merging, key bias") << 1 << 6 << 101 << 101 << 64 << 64 << true << int(KeyBias) << false;
    QTest::newRow("ToMe's last block (21 tokens)") << 1 << 6 << 21 << 21 << 64 << 64 << true << int(KeyBias) << false;
    QTest::newRow("11 tokens, portable kernel") << 1 << 6 << 11 << 11 << 64 << 64 << true << int(KeyBias) << true;
    QTest::newRow("batch 2, ViT-B heads") << 2 << 12 << 50 << 50 << 64 << 64 << true << int(KeyBias) << false;
    QTest::newRow("one head (rows split over threads)") << 1 << 1 << 130 << 130 << 64 << 64 << false << int(NoBias) << false;
    QTest::newRow("one query") << 1 << 3 << 1 << 1 << 64 << 64 << false << int(NoBias) << false;
    QTest::newRow("FAM-like: 64 queries, 200 keys, mask") << 1 << 6 << 64 << 200 << 64 << 64 << false << int(MaskNM) << false;
    QTest::newRow("same, portable") << 1 << 6 << 64 << 200 << 64 << 64 << false << int(MaskNM) << true;
    QTest::newRow("per-head bias") << 2 << 4 << 37 << 53 << 32 << 32 << false << int(PerHead) << false;
    QTest::newRow("bias per query, broadcast over keys") << 1 << 2 << 17 << 40 << 16 << 16 << false << int(PerQuery) << false;
    QTest::newRow("head width 16, odd key count") << 1 << 4 << 33 << 65 << 16 << 16 << false << int(KeyBias) << false;
    QTest::newRow("wide values (dv 80), narrow keys (d 24)") << 1 << 3 << 29 << 31 << 24 << 80 << false << int(NoBias) << false;
    QTest::newRow("dv 128, portable") << 1 << 2 << 19 << 70 << 128 << 128 << false << int(PerHead) << true;
}

void TestFusedAttention::equalsReference()
{
    QFETCH(int, x);
    QFETCH(int, heads);
    QFETCH(int, n);
    QFETCH(int, m);
    QFETCH(int, d);
    QFETCH(int, dv);
    QFETCH(bool, views);
    QFETCH(int, bias);
    QFETCH(bool, portable);
    torch::manual_seed(n * 131 + m * 7 + d);
    const auto [q, k, v] = makeQkv(x, heads, n, m, d, dv, views);
    const torch::Tensor b = makeBias(static_cast<BiasKind>(bias), x, heads, n, m);
    const AttentionKernel kernel = portable ? AttentionKernel::Portable : AttentionKernel::Best;
    torch::Tensor probs;
    const torch::Tensor got = fusedAttention(q, k, v, b, 1.0 / std::sqrt(static_cast<double>(d)), &probs, kernel);
    QVERIFY(got.defined());
    QCOMPARE(got.sizes(), (std::vector<std::int64_t>{x, heads, n, dv}));
    torch::Tensor weights;
    const torch::Tensor want = reference(q, k, v, b, &weights);
    // Outputs are O(1) weighted means of N(0, 1) values; float rounding over ~100 terms.
    QVERIFY2(maxError(got, want) < 2e-5, qPrintable(QString::number(maxError(got, want))));
    QCOMPARE(probs.sizes(), weights.sizes());
    QVERIFY(maxError(probs, weights) < 2e-6);
    // Merging the heads back ([X, N, heads * dv]) is a view, not a copy.
    QVERIFY(got.transpose(1, 2).is_contiguous());
}

void TestFusedAttention::threeDimensionalGroups()
{
    // FIT's local layers: [groups, tokens, d] without a head dimension, masked.
    torch::manual_seed(5);
    const torch::Tensor q = torch::randn({8, 24, 32}), k = torch::randn({8, 24, 32}), v = torch::randn({8, 24, 32});
    const torch::Tensor mask = makeBias(MaskNM, 1, 1, 24, 24);
    const torch::Tensor got = fusedAttention(q, k, v, mask, 1.0 / std::sqrt(32.0));
    QVERIFY(got.defined());
    QCOMPARE(got.sizes(), (std::vector<std::int64_t>{8, 24, 32}));
    QVERIFY(maxError(got, reference(q, k, v, mask)) < 2e-5);
}

void TestFusedAttention::maskedRowsAreNaNAsInTorch()
{
    // A query whose keys are all masked: torch's softmax gives NaN for the row; so does this, and
    // the other rows are unaffected.
    torch::manual_seed(9);
    const torch::Tensor q = torch::randn({1, 2, 5, 16}), k = torch::randn({1, 2, 7, 16}), v = torch::randn({1, 2, 7, 16});
    torch::Tensor mask = torch::zeros({5, 7});
    mask[2].fill_(-std::numeric_limits<float>::infinity());
    const torch::Tensor got = fusedAttention(q, k, v, mask, 0.25);
    const torch::Tensor torchOut = torch::matmul(torch::softmax(torch::matmul(q * 0.25, k.transpose(-2, -1)) + mask, -1), v);
    QVERIFY(torch::equal(got.isnan(), torchOut.isnan()));
    QVERIFY(got.select(2, 2).isnan().all().item<bool>());
    const torch::Tensor rest = torch::cat({got.narrow(2, 0, 2), got.narrow(2, 3, 2)}, 2);
    const torch::Tensor restWant = torch::cat({torchOut.narrow(2, 0, 2), torchOut.narrow(2, 3, 2)}, 2);
    QVERIFY(torch::allclose(rest, restWant, 1e-5, 1e-5));
    // A masked key gets exactly zero weight.
    mask = torch::zeros({5, 7});
    mask.select(1, 4).fill_(-std::numeric_limits<float>::infinity());
    torch::Tensor probs;
    fusedAttention(q, k, v, mask, 0.25, &probs);
    QCOMPARE(probs.select(3, 4).abs().max().item<float>(), 0.0f);
}

void TestFusedAttention::sameResultOnOneAndTwoThreads()
{
    // Each row's sums run in the same order however the rows are shared out: bit for bit.
    torch::manual_seed(3);
    const auto [q, k, v] = makeQkv(1, 3, 150, 150, 64, 64, true);
    const torch::Tensor bias = makeBias(KeyBias, 1, 3, 150, 150);
    configureThreads(1);
    const torch::Tensor one = fusedAttention(q, k, v, bias, 0.125);
    configureThreads(2);
    const torch::Tensor two = fusedAttention(q, k, v, bias, 0.125);
    QVERIFY(torch::equal(one, two));
}

void TestFusedAttention::leavesOtherCasesToTorch()
{
    const torch::Tensor q = torch::randn({1, 2, 8, 16}), k = torch::randn({1, 2, 8, 16}), v = torch::randn({1, 2, 8, 16});
    QVERIFY(fusedAttention(q, k, v, {}, 0.25).defined());
    // Value width not a multiple of 16.
    QVERIFY(!fusedAttention(q, k, torch::randn({1, 2, 8, 12}), {}, 0.25).defined());
    // Not float32.
    QVERIFY(!fusedAttention(q.to(torch::kDouble), k.to(torch::kDouble), v.to(torch::kDouble), {}, 0.25).defined());
    // Leading dimensions that differ (broadcast keys) and bias shapes that do not broadcast.
    QVERIFY(!fusedAttention(torch::randn({2, 2, 8, 16}), k, v, {}, 0.25).defined());
    QVERIFY(!fusedAttention(q, k, v, torch::zeros({3, 8}), 0.25).defined());
    // No keys; last dimension not contiguous.
    QVERIFY(!fusedAttention(q, torch::randn({1, 2, 0, 16}), torch::randn({1, 2, 0, 16}), {}, 0.25).defined());
    QVERIFY(!fusedAttention(q, torch::randn({1, 2, 16, 8}).transpose(-2, -1), v, {}, 0.25).defined());
    // Autograd recording: torch's ops keep the graph.
    const torch::Tensor qg = q.clone().requires_grad_(true);
    QVERIFY(!fusedAttention(qg, k, v, {}, 0.25).defined());
    const torch::Tensor out = scaledDotAttention(qg, k, v);
    QVERIFY(out.requires_grad());
    out.sum().backward();
    QVERIFY(qg.grad().defined());
}

void TestFusedAttention::scaledDotAttentionCountsAndWeights()
{
    // Through the fused path (dv 64) and torch's (dv 8): the same FLOP counts and weights.
    torch::manual_seed(4);
    for (const std::int64_t dv : {64, 8}) {
        const torch::Tensor q = torch::randn({1, 3, 10, 64}), k = torch::randn({1, 3, 12, 64}), v = torch::randn({1, 3, 12, dv});
        const torch::Tensor bias = makeBias(KeyBias, 1, 3, 10, 12);
        FlopCountScope flops;
        torch::Tensor probs;
        const torch::Tensor out = scaledDotAttention(q, k, v, bias, &probs);
        QCOMPARE(flops.tally().matmulByPart.at("attn_qk"), 2.0 * 3 * 10 * 12 * 64);
        QCOMPARE(flops.tally().matmulByPart.at("attn_av"), 2.0 * 3 * 10 * 12 * static_cast<double>(dv));
        QCOMPARE(flops.tally().elementwiseByPart.at("softmax"), 5.0 * 3 * 10 * 12);
        torch::Tensor weights;
        QVERIFY(maxError(out, reference(q, k, v, bias, &weights)) < 2e-5);
        QVERIFY(maxError(probs, weights) < 2e-6);
    }
}

void TestFusedAttention::expMatchesStd_data()
{
    QTest::addColumn<bool>("portable");
    QTest::newRow("best") << false;
    QTest::newRow("portable") << true;
}

void TestFusedAttention::expMatchesStd()
{
    QFETCH(bool, portable);
    // Every softmax argument is <= 0; the range up to log(FLT_MAX) is checked too.
    const int count = 400001;
    std::vector<float> x(count), y(count);
    for (int i = 0; i < count; ++i)
        x[static_cast<std::size_t>(i)] = -87.0f + 175.5f * static_cast<float>(i) / (count - 1);
    vectorExp(x.data(), y.data(), count, portable ? AttentionKernel::Portable : AttentionKernel::Best);
    double worstUlps = 0;
    for (int i = 0; i < count; ++i) {
        const double want = std::exp(static_cast<double>(x[static_cast<std::size_t>(i)]));
        const float wantF = static_cast<float>(want);
        const double ulp = std::nextafter(wantF, std::numeric_limits<float>::infinity()) - wantF;
        worstUlps = std::max(worstUlps, std::abs(y[static_cast<std::size_t>(i)] - want) / ulp);
    }
    QVERIFY2(worstUlps <= 2.0, qPrintable(QString("worst error %1 ulp").arg(worstUlps)));
}

void TestFusedAttention::expSpecialValues()
{
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> x{0.0f, -0.0f, -inf, inf, nan, -88.0f, -1000.0f, 89.0f, 1.0f, -1.0f, 88.5f, -87.0f, 0.5f};
    std::vector<float> y(x.size());
    vectorExp(x.data(), y.data(), static_cast<std::int64_t>(x.size())); // 13: also a partial vector
    QCOMPARE(y[0], 1.0f);
    QCOMPARE(y[1], 1.0f);
    QCOMPARE(y[2], 0.0f);
    QCOMPARE(y[3], inf);
    QVERIFY(std::isnan(y[4]));
    QCOMPARE(y[5], 0.0f); // below log(FLT_MIN): 0, not a denormal
    QCOMPARE(y[6], 0.0f);
    QCOMPARE(y[7], inf);
    QVERIFY(std::abs(y[8] - std::exp(1.0f)) <= 2 * std::numeric_limits<float>::epsilon() * std::exp(1.0f));
    QVERIFY(std::isfinite(y[10]) && y[10] > 2.5e38f); // 2^128 > exp(88.5) > 2^127: no overflow
    QVERIFY(y[11] > 1.6e-38f && y[11] < 1.7e-38f);
}

QTEST_GUILESS_MAIN(TestFusedAttention)
#include "tst_fused_attention.moc"
