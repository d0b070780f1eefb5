// Bipartite soft matching and merging, against hand-worked cases and a plain-loop reference
// written from the paper's description (Sec. 3 of Bolya et al.).
#include "core/nn/attention.h"
#include "core/tome/best_match.h"
#include "core/tome/bipartite_matching.h"
#include "core/tome/tome_schedule.h"

#include <QtTest>

#include <algorithm>
#include <numeric>

using namespace ts;

namespace {

torch::Tensor tokens2d(const std::vector<std::pair<float, float>>& v)
{
    torch::Tensor t = torch::empty({1, static_cast<long>(v.size()), 2});
    for (std::size_t i = 0; i < v.size(); ++i) {
        t[0][static_cast<long>(i)][0] = v[i].first;
        t[0][static_cast<long>(i)][1] = v[i].second;
    }
    return t;
}

// Plain-loop reference: returns, for each output token, the list of input tokens it holds.
std::vector<std::vector<int>> referenceMerge(const torch::Tensor& metric, int r)
{
    const int n = static_cast<int>(metric.size(1));
    std::vector<int> a, b;
    for (int i = 0; i < n; ++i)
        (i % 2 ? b : a).push_back(i);
    r = std::min(r, (n - 1) / 2);
    auto cosine = [&](int i, int j) {
        double dot = 0, ni = 0, nj = 0;
        for (int c = 0; c < metric.size(2); ++c) {
            const double x = metric[0][i][c].item<float>(), y = metric[0][j][c].item<float>();
            dot += x * y;
            ni += x * x;
            nj += y * y;
        }
        return dot / std::sqrt(ni * nj);
    };
    std::vector<double> best(a.size(), -1e300);
    std::vector<int> bestB(a.size(), 0);
    for (std::size_t ia = 0; ia < a.size(); ++ia) {
        for (std::size_t ib = 0; ib < b.size(); ++ib) {
            const double s = a[ia] == 0 ? -1e300 : cosine(a[ia], b[ib]); // class token protected
            if (s > best[ia]) {
                best[ia] = s;
                bestB[ia] = static_cast<int>(ib);
            }
        }
    }
    std::vector<int> order(a.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return best[x] > best[y]; });
    std::vector<bool> merged(a.size(), false);
    std::vector<std::vector<int>> bGroups(b.size());
    for (std::size_t ib = 0; ib < b.size(); ++ib)
        bGroups[ib] = {b[ib]};
    for (int k = 0; k < std::max(r, 0); ++k) {
        merged[order[k]] = true;
        bGroups[bestB[order[k]]].push_back(a[order[k]]);
    }
    std::vector<std::vector<int>> out;
    for (std::size_t ia = 0; ia < a.size(); ++ia)
        if (!merged[ia])
            out.push_back({a[ia]});
    for (auto& g : bGroups) {
        std::sort(g.begin(), g.end());
        out.push_back(g);
    }
    return out;
}

} // namespace

class TestTomeMatching : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void handWorkedMerge_data();
    void handWorkedMerge();
    void sizeWeightedAverage();
    void rowMergeEqualsTensorFormula_data();
    void rowMergeEqualsTensorFormula();
    void rowSourceMergeEqualsTensorFormula_data() { rowMergeEqualsTensorFormula_data(); }
    void rowSourceMergeEqualsTensorFormula();
    void indexSourceEqualsSourceMatrix();
    void loopMatchingEqualsTensorFormula_data();
    void loopMatchingEqualsTensorFormula();
    void keyMetricEqualsMean();
    void matchingFromKeysEqualsTensorFormula_data();
    void matchingFromKeysEqualsTensorFormula();
    void bestMatchKernelsAgree();
    void classTokenNeverMerged();
    void rClampsToHalf_data();
    void rClampsToHalf();
    void matchesReference_data();
    void matchesReference();
    void proportionalAttentionEqualsCopies_data();
    void proportionalAttentionEqualsCopies();
};

// Tokens t0 (class), t1..t4; A = {t0, t2, t4}, B = {t1, t3}. t2 points almost like t1
// (cos 0.995), t4 like t3 less closely (cos 0.949): r = 1 merges t2 into t1 only.
void TestTomeMatching::handWorkedMerge_data()
{
    QTest::addColumn<int>("r");
    QTest::addColumn<QList<float>>("expected");
    // features x = [10, 1, 3, 5, 7]; output order: unmerged A in order, then B.
    QTest::newRow("r=0") << 0 << QList<float>{10, 1, 3, 5, 7};
    QTest::newRow("r=1: t2 into t1") << 1 << QList<float>{10, 7, 2, 5};
    QTest::newRow("r=2: also t4 into t3") << 2 << QList<float>{10, 2, 6};
    QTest::newRow("r=5 clamps to 2") << 5 << QList<float>{10, 2, 6};
}

void TestTomeMatching::handWorkedMerge()
{
    QFETCH(int, r);
    QFETCH(QList<float>, expected);
    const torch::Tensor metric = tokens2d({{1, 0}, {0, 1}, {0.1f, 1}, {1, -1}, {1, -0.5f}});
    const torch::Tensor x = torch::tensor({10.f, 1.f, 3.f, 5.f, 7.f}).reshape({1, 5, 1});
    MergePlan plan = bipartiteSoftMatching(metric, r, /*classToken=*/true);
    auto [merged, size] = mergeWeightedAverage(plan, x, torch::ones({1, 5, 1}));
    QCOMPARE(merged.size(1), static_cast<long>(expected.size()));
    for (int i = 0; i < expected.size(); ++i)
        QCOMPARE(merged[0][i][0].item<float>(), expected[i]);
    QCOMPARE(size.sum().item<float>(), 5.f); // sizes always sum to the tokens merged
}

void TestTomeMatching::sizeWeightedAverage()
{
    const torch::Tensor metric = tokens2d({{1, 0}, {0, 1}, {0.1f, 1}, {1, -1}, {1, -0.5f}});
    const torch::Tensor x = torch::tensor({10.f, 1.f, 3.f, 5.f, 7.f}).reshape({1, 5, 1});
    const torch::Tensor size = torch::tensor({1.f, 1.f, 3.f, 2.f, 1.f}).reshape({1, 5, 1});
    MergePlan plan = bipartiteSoftMatching(metric, 2, true);
    auto [merged, newSize] = mergeWeightedAverage(plan, x, size);
    // t1 (size 1, value 1) + t2 (size 3, value 3) -> (1 + 9) / 4; t3 (2 x 5) + t4 (1 x 7) -> 17 / 3.
    QCOMPARE(merged[0][1][0].item<float>(), 2.5f);
    QVERIFY(std::abs(merged[0][2][0].item<float>() - 17.f / 3.f) < 1e-6);
    QCOMPARE(newSize[0][1][0].item<float>(), 4.f);
    QCOMPARE(newSize[0][2][0].item<float>(), 3.f);
}

void TestTomeMatching::rowMergeEqualsTensorFormula_data()
{
    QTest::addColumn<int>("batch");
    QTest::addColumn<int>("tokens");
    QTest::addColumn<int>("r");
    QTest::newRow("ViT-S first block") << 1 << 197 << 16;
    QTest::newRow("batch 3, r 1") << 3 << 197 << 1;
    QTest::newRow("even tokens, r max") << 2 << 50 << 24;
    QTest::newRow("seven tokens") << 4 << 7 << 3;
}

void TestTomeMatching::rowMergeEqualsTensorFormula()
{
    // mergeWeightedAverage's one-pass float path against merge_wavg written with tensor ops:
    // sum of x * size and of size over each destination, then the quotient.
    QFETCH(int, batch);
    QFETCH(int, tokens);
    QFETCH(int, r);
    torch::manual_seed(7);
    const torch::Tensor metric = torch::randn({batch, tokens, 16});
    const torch::Tensor x = torch::randn({batch, tokens, 24});
    const torch::Tensor size = torch::randint(1, 5, {batch, tokens, 1}).to(torch::kFloat);
    const MergePlan plan = bipartiteSoftMatching(metric, r, /*classToken=*/true);
    QVERIFY(plan.r > 0);
    auto [merged, newSize] = mergeWeightedAverage(plan, x, size);
    const torch::Tensor refSize = mergeTokens(size, plan, "sum");
    const torch::Tensor ref = mergeTokens(x * size, plan, "sum") / refSize;
    QCOMPARE(merged.sizes().vec(), ref.sizes().vec());
    QVERIFY(torch::equal(newSize, refSize));
    QVERIFY2(torch::allclose(merged, ref, /*rtol=*/1e-6, /*atol=*/1e-6),
             qPrintable(QString::number((merged - ref).abs().max().item<float>())));
}

void TestTomeMatching::rowSourceMergeEqualsTensorFormula()
{
    // mergeSource's loops against merge_source's scatter_reduce(amax): on the running source
    // (an expanded identity, then merged again), on arbitrary values with a NaN (a maximum
    // propagates it), and with nothing to merge.
    QFETCH(int, batch);
    QFETCH(int, tokens);
    QFETCH(int, r);
    torch::manual_seed(11);
    const torch::Tensor metric = torch::randn({batch, tokens, 16});
    const MergePlan plan = bipartiteSoftMatching(metric, r, /*classToken=*/true);
    QVERIFY(plan.r > 0);
    const torch::Tensor eye = torch::eye(tokens).unsqueeze(0).expand({batch, tokens, tokens});
    const torch::Tensor once = mergeSource(plan, eye);
    QVERIFY(torch::equal(once, mergeTokens(eye, plan, "amax")));
    QVERIFY(torch::equal(once.sum(1), torch::ones({batch, tokens}))); // still a partition
    const MergePlan again = bipartiteSoftMatching(torch::randn({batch, once.size(1), 16}), r, true);
    if (again.r > 0)
        QVERIFY(torch::equal(mergeSource(again, once), mergeTokens(once, again, "amax")));
    torch::Tensor values = torch::randn({batch, tokens, 5});
    values[0][tokens - 1][2] = std::nanf("");
    const torch::Tensor got = mergeSource(plan, values), want = mergeTokens(values, plan, "amax");
    QVERIFY(torch::equal(got.isnan(), want.isnan()));
    QVERIFY(torch::equal(got.nan_to_num(0.0), want.nan_to_num(0.0)));
    QVERIFY(torch::equal(mergeSource(MergePlan{}, once), once));
}

// Source tracking by index (mergedTokenIndex, what runToMe records) against merge_source's
// [N, N0] matrix over six merges of a shrinking sequence, on every image of a batch, with one and
// with three protected prefix tokens: the token
// holding each original token is the row where its column is 1, and the sizes it implies are the
// column counts.
void TestTomeMatching::indexSourceEqualsSourceMatrix()
{
    // One prefix token (ViT's class token) and three (DeiT's two, or a class token and registers:
    // the protected tokens stay first, on both sides of the alternate split).
    for (const int prefix : {1, 3}) {
        torch::manual_seed(5 + prefix);
        const int batch = 3, tokens = 65;
        torch::Tensor source = torch::eye(tokens).unsqueeze(0).expand({batch, tokens, tokens});
        std::vector<std::vector<int>> tokenOf(batch, std::vector<int>(tokens));
        for (auto& v : tokenOf)
            std::iota(v.begin(), v.end(), 0);
        int n = tokens;
        for (int step = 0; step < 6; ++step) {
            const MergePlan plan = bipartiteSoftMatching(torch::randn({batch, n, 8}), 5, prefix);
            QCOMPARE(plan.r, 5);
            source = mergeSource(plan, source);
            for (int b = 0; b < batch; ++b) {
                const std::vector<int> to = mergedTokenIndex(plan, n, b);
                for (int& t : tokenOf[b])
                    t = to[static_cast<std::size_t>(t)];
            }
            n -= plan.r;
            QCOMPARE(static_cast<int>(source.size(1)), n);
            const torch::Tensor holder = source.argmax(/*dim=*/1); // [B, N0]
            for (int b = 0; b < batch; ++b) {
                for (int t = 0; t < tokens; ++t)
                    QCOMPARE(static_cast<int>(holder[b][t].item<std::int64_t>()), tokenOf[b][t]);
                for (int p = 0; p < prefix; ++p)
                    QCOMPARE(tokenOf[b][p], p); // the prefix tokens stay first, unmerged
            }
        }
    }
    // No merge: the identity.
    const std::vector<int> same = mergedTokenIndex(MergePlan{}, 7);
    QCOMPARE(same, std::vector<int>({0, 1, 2, 3, 4, 5, 6}));
}

// The CPU loops of bipartiteSoftMatching make exactly the plan of the tensor formulation (the
// authors' ops): same edges, same order, on random keys, on exact ties (duplicated tokens: the
// stable sort and torch.max's first index decide), and with zero keys (NaN similarities).
void TestTomeMatching::loopMatchingEqualsTensorFormula_data()
{
    QTest::addColumn<int>("batch");
    QTest::addColumn<int>("tokens");
    QTest::addColumn<int>("r");
    QTest::addColumn<bool>("classToken");
    QTest::addColumn<QString>("kind");
    QTest::newRow("ViT-S/16 block 1") << 1 << 197 << 16 << true << "random";
    QTest::newRow("batch 3, odd r") << 3 << 101 << 7 << true << "random";
    QTest::newRow("even tokens, no class token") << 2 << 64 << 20 << false << "random";
    QTest::newRow("r clamped") << 1 << 21 << 16 << true << "random";
    QTest::newRow("ties from duplicated tokens") << 2 << 50 << 12 << true << "ties";
    QTest::newRow("zero keys give NaN") << 1 << 40 << 10 << true << "zeros";
    QTest::newRow("zero keys, no class token") << 1 << 40 << 10 << false << "zeros";
    QTest::newRow("zero keys, batch 2") << 2 << 40 << 10 << true << "zeros";
    QTest::newRow("strided metric") << 2 << 77 << 9 << true << "strided";
}

void TestTomeMatching::loopMatchingEqualsTensorFormula()
{
    QFETCH(int, batch);
    QFETCH(int, tokens);
    QFETCH(int, r);
    QFETCH(bool, classToken);
    QFETCH(QString, kind);
    torch::manual_seed(tokens * 13 + r);
    torch::Tensor metric = torch::randn({batch, tokens, 16});
    if (kind == "ties") {
        // Four distinct keys repeated: many equal similarities.
        metric = torch::randn({batch, 4, 16}).repeat({1, (tokens + 3) / 4, 1}).slice(1, 0, tokens).contiguous();
    } else if (kind == "zeros") {
        for (int t : {2, 3, 8, 17, 30})
            metric[batch - 1][t].zero_();
    } else if (kind == "strided") {
        metric = torch::randn({16, tokens, batch}).permute({2, 1, 0}); // [B, N, C], not contiguous
        QVERIFY(!metric.is_contiguous());
    }
    const MergePlan loop = bipartiteSoftMatching(metric, r, classToken);
    const MergePlan tensor = bipartiteSoftMatchingTensor(metric, r, classToken);
    QCOMPARE(loop.r, tensor.r);
    QVERIFY(torch::equal(loop.srcIdx, tensor.srcIdx));
    QVERIFY(torch::equal(loop.dstIdx, tensor.dstIdx));
    QVERIFY(torch::equal(loop.unmergedIdx, tensor.unmergedIdx));
}

// keyMetric on the strided keys the attention hands over equals keys.mean(1) bit for bit.
void TestTomeMatching::keyMetricEqualsMean()
{
    torch::manual_seed(4);
    for (int heads : {1, 3, 6, 12, 16, 20}) {
        const torch::Tensor qkv = torch::randn({2, 37, 3, heads, 64}).permute({2, 0, 3, 1, 4});
        const torch::Tensor keys = qkv[1]; // [B, H, N, d], not contiguous
        QVERIFY(!keys.is_contiguous());
        QVERIFY(torch::equal(keyMetric(keys), keys.mean(1)));
        QVERIFY(torch::equal(keyMetric(keys.contiguous()), keys.mean(1)));
    }
}

// The one-pass similarity step from the keys (core/tome/best_match.cpp) makes the plan the
// authors' tensor formulation makes on keys.mean(1): ViT's strided qkv views, batches, exact ties
// from duplicated tokens, zero keys (NaN similarities), no class token, the fewest tokens.
void TestTomeMatching::matchingFromKeysEqualsTensorFormula_data()
{
    QTest::addColumn<int>("batch");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("tokens");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("r");
    QTest::addColumn<bool>("classToken");
    QTest::addColumn<QString>("kind");
    QTest::newRow("ViT-S/16 block 1, qkv views") << 1 << 6 << 197 << 64 << 16 << true << "views";
    QTest::newRow("ViT-B/16 heads, batch 3") << 3 << 12 << 101 << 64 << 7 << true << "views";
    QTest::newRow("last ToMe block, r clamped") << 1 << 6 << 21 << 64 << 16 << true << "views";
    QTest::newRow("no class token, even tokens") << 2 << 3 << 64 << 32 << 20 << false << "random";
    QTest::newRow("ties from duplicated tokens") << 2 << 4 << 50 << 16 << 12 << true << "ties";
    QTest::newRow("zero keys give NaN") << 2 << 2 << 40 << 16 << 10 << true << "zeros";
    QTest::newRow("three tokens") << 1 << 1 << 3 << 8 << 1 << true << "random";
    QTest::newRow("head width 20 (not whole vectors)") << 1 << 5 << 77 << 20 << 9 << true << "random";
}

void TestTomeMatching::matchingFromKeysEqualsTensorFormula()
{
    QFETCH(int, batch);
    QFETCH(int, heads);
    QFETCH(int, tokens);
    QFETCH(int, d);
    QFETCH(int, r);
    QFETCH(bool, classToken);
    QFETCH(QString, kind);
    torch::manual_seed(tokens * 7 + heads);
    torch::Tensor keys = torch::randn({batch, heads, tokens, d});
    if (kind == "views") {
        keys = torch::randn({batch, tokens, 3, heads, d}).permute({2, 0, 3, 1, 4})[1]; // as the attention hands it over
        QVERIFY(!keys.is_contiguous());
    } else if (kind == "ties") {
        keys = torch::randn({batch, heads, 4, d}).repeat({1, 1, (tokens + 3) / 4, 1}).slice(2, 0, tokens).contiguous();
    } else if (kind == "zeros") {
        for (int t : {2, 3, 8, 17, 30})
            keys.select(0, batch - 1).select(1, t).zero_();
    }
    const MergePlan fused = bipartiteSoftMatchingFromKeys(keys, r, classToken);
    const MergePlan tensor = bipartiteSoftMatchingTensor(keys.mean(1), r, classToken);
    QCOMPARE(fused.r, tensor.r);
    QVERIFY(torch::equal(fused.srcIdx, tensor.srcIdx));
    QVERIFY(torch::equal(fused.dstIdx, tensor.dstIdx));
    QVERIFY(torch::equal(fused.unmergedIdx, tensor.unmergedIdx));
}

// Both kernels give each A-token's best similarity to float rounding of the tensor formulation's
// and the same B-token.
void TestTomeMatching::bestMatchKernelsAgree()
{
    torch::manual_seed(12);
    const torch::Tensor keys = torch::randn({1, 197, 3, 6, 64}).permute({2, 0, 3, 1, 4})[1][0]; // [H, N, d]
    const torch::Tensor metric = keys.mean(0);
    const torch::Tensor normed = metric / metric.norm(2, -1, true);
    const torch::Tensor scores = torch::matmul(normed.slice(0, 0, 197, 2), normed.slice(0, 1, 197, 2).t());
    const auto [wantBest, wantIndex] = scores.max(-1);
    KeyView view;
    view.data = keys.data_ptr<float>();
    view.heads = 6;
    view.tokens = 197;
    view.d = 64;
    view.headStride = keys.stride(0);
    view.tokenStride = keys.stride(1);
    for (const MatchKernel kernel : {MatchKernel::Best, MatchKernel::Portable}) {
        std::vector<float> best(99);
        std::vector<std::int64_t> index(99);
        bestMatches(view, /*classToken=*/false, best.data(), index.data(), kernel);
        for (int i = 0; i < 99; ++i) {
            QVERIFY(std::abs(best[static_cast<std::size_t>(i)] - wantBest[i].item<float>()) < 1e-6f);
            QCOMPARE(index[static_cast<std::size_t>(i)], wantIndex[i].item<std::int64_t>());
        }
    }
}

void TestTomeMatching::classTokenNeverMerged()
{
    // The class token is the most similar A-token of all; it must still stay, first.
    const torch::Tensor metric = tokens2d({{0, 1}, {0, 1}, {1, 0}, {-1, 0.2f}, {0.5f, 0.5f}});
    MergePlan plan = bipartiteSoftMatching(metric, 2, true);
    const torch::Tensor src = mergeSource(plan, torch::eye(5).unsqueeze(0));
    QCOMPARE(src.size(1), 3L);
    QCOMPARE(src[0][0][0].item<float>(), 1.f);
    QCOMPARE(src[0][0].sum().item<float>(), 1.f);
}

void TestTomeMatching::rClampsToHalf_data()
{
    QTest::addColumn<int>("tokens");
    QTest::addColumn<int>("r");
    QTest::addColumn<int>("expected");
    QTest::newRow("vit-s r=0") << 197 << 0 << 197;
    QTest::newRow("vit-s r=8") << 197 << 8 << 189;
    QTest::newRow("r clamps to half") << 197 << 150 << 99; // (197 - 1) / 2 = 98 merged
    QTest::newRow("even count") << 10 << 9 << 6;            // (10 - 1) / 2 = 4
    QTest::newRow("only class token") << 1 << 4 << 1;
}

void TestTomeMatching::rClampsToHalf()
{
    QFETCH(int, tokens);
    QFETCH(int, r);
    QFETCH(int, expected);
    torch::manual_seed(1);
    const torch::Tensor metric = torch::randn({1, tokens, 8});
    MergePlan plan = bipartiteSoftMatching(metric, r, true);
    QCOMPARE(mergeTokens(metric, plan, "mean").size(1), static_cast<long>(expected));
    QCOMPARE(tokenCountsAfterMerging(tokens, {r}).front(), expected);
}

void TestTomeMatching::matchesReference_data()
{
    QTest::addColumn<int>("tokens");
    QTest::addColumn<int>("r");
    QTest::addColumn<int>("seed");
    QTest::newRow("17 tokens r=3") << 17 << 3 << 1;
    QTest::newRow("18 tokens r=8 (max)") << 18 << 8 << 2;
    QTest::newRow("197 tokens r=16") << 197 << 16 << 3;
    QTest::newRow("50 tokens r=24") << 50 << 24 << 4;
}

void TestTomeMatching::matchesReference()
{
    QFETCH(int, tokens);
    QFETCH(int, r);
    QFETCH(int, seed);
    torch::manual_seed(seed);
    const torch::Tensor metric = torch::randn({1, tokens, 6});
    const auto expected = referenceMerge(metric, r);
    MergePlan plan = bipartiteSoftMatching(metric, r, true);
    const torch::Tensor src = mergeSource(plan, torch::eye(tokens).unsqueeze(0));
    QCOMPARE(src.size(1), static_cast<long>(expected.size()));
    for (std::size_t t = 0; t < expected.size(); ++t) {
        std::vector<int> holds;
        for (int j = 0; j < tokens; ++j)
            if (src[0][static_cast<long>(t)][j].item<float>() > 0.5f)
                holds.push_back(j);
        QCOMPARE(holds, expected[t]);
    }
}

void TestTomeMatching::proportionalAttentionEqualsCopies_data()
{
    QTest::addColumn<int>("copies");
    QTest::newRow("size 1") << 1;
    QTest::newRow("size 2") << 2;
    QTest::newRow("size 5") << 5;
}

// A key of size s with log(s) added to its logit gives the same output as s identical copies.
void TestTomeMatching::proportionalAttentionEqualsCopies()
{
    QFETCH(int, copies);
    torch::manual_seed(7);
    const torch::Tensor q = torch::randn({1, 2, 3, 4});
    const torch::Tensor k = torch::randn({1, 2, 3, 4}), v = torch::randn({1, 2, 3, 4});
    const torch::Tensor sizes = torch::tensor({1.f, static_cast<float>(copies), 1.f});
    const torch::Tensor merged = scaledDotAttention(q, k, v, sizes.log().reshape({1, 1, 1, 3}));
    std::vector<torch::Tensor> ks{k.narrow(2, 0, 1)}, vs{v.narrow(2, 0, 1)};
    for (int i = 0; i < copies; ++i) {
        ks.push_back(k.narrow(2, 1, 1));
        vs.push_back(v.narrow(2, 1, 1));
    }
    ks.push_back(k.narrow(2, 2, 1));
    vs.push_back(v.narrow(2, 2, 1));
    const torch::Tensor expanded = scaledDotAttention(q, torch::cat(ks, 2), torch::cat(vs, 2));
    QVERIFY2(torch::allclose(merged, expanded, 1e-5, 1e-6),
             qPrintable(QString("max diff %1").arg((merged - expanded).abs().max().item<float>())));
}

QTEST_GUILESS_MAIN(TestTomeMatching)
#include "tst_tome_matching.moc"
