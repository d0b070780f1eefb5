// EViT's token reorganisation (core/evit) on attention weights built by hand: the kept set (the
// tokens the class token attends to most, averaged over heads, in descending order), the fused
// token (the attention-weighted sum of the rest), prefix tokens untouched, and the keep-rate
// schedule at the reduction layers.
#include "core/evit/evit_fusion.h"
#include "core/reduction/reduction_method.h"

#include <QtTest>

#include <c10/core/InferenceMode.h>

using namespace ts;

class TestEvitFusion : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keptSetAndFusedToken();
    void prefixTokensStay();
    void keepRateSchedule();
};

namespace {

// Weights [1, 2, N, N] whose class-token rows (row 0) are the given ones per head.
torch::Tensor classRows(const std::vector<float>& head0, const std::vector<float>& head1)
{
    const long n = static_cast<long>(head0.size());
    torch::Tensor p = torch::full({1, 2, n, n}, 1.0f / static_cast<float>(n));
    for (long j = 0; j < n; ++j) {
        p[0][0][0][j] = head0[static_cast<std::size_t>(j)];
        p[0][1][0][j] = head1[static_cast<std::size_t>(j)];
    }
    return p;
}

} // namespace

void TestEvitFusion::keptSetAndFusedToken()
{
    c10::InferenceMode guard;
    // Class + 5 tokens. Head means of the class row over tokens 1..5: 0.1, 0.3, 0.05, 0.25, 0.2
    // (head 0: .1 .4 .0 .3 .1; head 1: .1 .2 .1 .2 .3).
    const torch::Tensor probs = classRows({0.1f, 0.1f, 0.4f, 0.0f, 0.3f, 0.1f}, {0.1f, 0.1f, 0.2f, 0.1f, 0.2f, 0.3f});
    // r = 2: 2 tokens removed net, so 5 - 2 - 1 = 2 kept, 3 fused.
    const Regrouping g = evitFusion(probs, 2, /*prefixTokens=*/1);
    QCOMPARE(g.tokens, 4);
    // Kept: token 2 (0.3), token 4 (0.25), in that order; fused: tokens 1, 3, 5 into token 3.
    QCOMPARE(g.target.front(), (std::vector<int>{0, 3, 1, 3, 2, 3}));
    QCOMPARE(g.fused.front(), 3);
    torch::Tensor x = torch::zeros({1, 6, 2});
    for (int i = 0; i < 6; ++i) {
        x[0][i][0] = static_cast<float>(i);
        x[0][i][1] = 1.0f;
    }
    const torch::Tensor size = torch::ones({1, 6, 1});
    auto [y, s] = applyRegrouping(g, x, size);
    QCOMPARE(y[0][1][0].item<float>(), 2.0f); // kept tokens copied
    QCOMPARE(y[0][2][0].item<float>(), 4.0f);
    // Fused: 0.1 * 1 + 0.05 * 3 + 0.2 * 5 = 1.25; its second channel 0.1 + 0.05 + 0.2 = 0.35.
    QVERIFY(std::abs(y[0][3][0].item<float>() - 1.25f) < 1e-6f);
    QVERIFY(std::abs(y[0][3][1].item<float>() - 0.35f) < 1e-6f);
    QCOMPARE(s[0][3][0].item<float>(), 3.0f); // it holds three tokens' patches
    QCOMPARE(y[0][0][0].item<float>(), 0.0f);
}

void TestEvitFusion::prefixTokensStay()
{
    c10::InferenceMode guard;
    // Class, distillation token (attended most: still not ranked), then 4 tokens.
    const torch::Tensor probs = classRows({0.1f, 0.5f, 0.1f, 0.2f, 0.05f, 0.05f}, {0.1f, 0.5f, 0.1f, 0.2f, 0.05f, 0.05f});
    const Regrouping g = evitFusion(probs, 1, /*prefixTokens=*/2);
    // 4 tokens, 1 removed net: 2 kept (3 then 2), 2 fused (4, 5; equal weights keep index order).
    QCOMPARE(g.target.front(), (std::vector<int>{0, 1, 3, 2, 4, 4}));
    // r clamped so that one token is kept beside the fused one.
    QCOMPARE(evitFusion(probs, 10, 2).tokens, 4);
    QVERIFY(!evitFusion(probs, 0, 2).changes());
}

void TestEvitFusion::keepRateSchedule()
{
    ReductionOptions o;
    o.method = ReductionMethod::EVit;
    o.keepRate = 0.7;
    // Blocks 4, 7, 10 of 12 (0-based 3, 6, 9). 196 others: ceil(137.2) = 138 kept + 1 fused:
    // 197 -> 140 (r = 57); 139 others: ceil(97.3) = 98 kept -> 100 (r = 40); 99: ceil(69.3) = 70 -> 72 (r = 28).
    const std::vector<int> r = reductionPerLayer(o, ToMeSchedule::constant(0), 12, 197, 1);
    QCOMPARE(r, (std::vector<int>{0, 0, 0, 57, 0, 0, 40, 0, 0, 28, 0, 0}));
    const std::vector<int> counts = tokenCountsAfterReduction(ReductionMethod::EVit, 197, r, 1);
    QCOMPARE(counts[3], 140);
    QCOMPARE(counts[6], 100);
    QCOMPARE(counts.back(), 72);
    QCOMPARE(o.reductionLayers(12), (std::vector<int>{3, 6, 9}));
}

QTEST_GUILESS_MAIN(TestEvitFusion)
#include "tst_evit_fusion.moc"
