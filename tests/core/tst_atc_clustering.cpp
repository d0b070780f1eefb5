// ATC's agglomerative clustering (core/atc): the merge order of each linkage on points worked
// out by hand and, on random points, against a brute-force clustering written here (every
// cluster distance recomputed from the member pairs at every step); the regrouping keeps the
// prefix tokens out and numbers the clusters by first member.
#include "core/atc/agglomerative_clustering.h"

#include <QtTest>

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <random>

using namespace ts;

namespace {

using Merges = std::vector<std::pair<int, int>>;

std::vector<double> lineDistances(const std::vector<double>& x)
{
    const std::size_t n = x.size();
    std::vector<double> d(n * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            d[i * n + j] = std::abs(x[i] - x[j]);
    return d;
}

// The definition, step by step: the two clusters at the smallest linkage distance join (the
// pair with the lowest first members on equal distances).
Merges bruteForce(const std::vector<double>& d, int n, int clusters, Linkage linkage)
{
    std::vector<std::vector<int>> groups;
    for (int i = 0; i < n; ++i)
        groups.push_back({i});
    auto between = [&](const std::vector<int>& a, const std::vector<int>& b) {
        double lo = INFINITY, hi = -INFINITY, sum = 0;
        for (int i : a)
            for (int j : b) {
                const double v = d[static_cast<std::size_t>(i * n + j)];
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                sum += v;
            }
        return linkage == Linkage::Single ? lo : linkage == Linkage::Complete ? hi : sum / double(a.size() * b.size());
    };
    Merges out;
    while (static_cast<int>(groups.size()) > clusters) {
        std::size_t bi = 0, bj = 1;
        double best = INFINITY;
        for (std::size_t i = 0; i < groups.size(); ++i) // groups stay sorted by first member
            for (std::size_t j = i + 1; j < groups.size(); ++j) {
                const double v = between(groups[i], groups[j]);
                if (v < best - 1e-12) {
                    best = v;
                    bi = i;
                    bj = j;
                }
            }
        out.emplace_back(groups[bi].front(), groups[bj].front());
        groups[bi].insert(groups[bi].end(), groups[bj].begin(), groups[bj].end());
        std::sort(groups[bi].begin(), groups[bi].end());
        groups.erase(groups.begin() + static_cast<long>(bj));
    }
    return out;
}

} // namespace

Q_DECLARE_METATYPE(ts::Linkage)

class TestAtcClustering : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void handWorkedOrder_data();
    void handWorkedOrder();
    void matchesBruteForce_data();
    void matchesBruteForce();
    void regroupingKeepsPrefix();
};

void TestAtcClustering::handWorkedOrder_data()
{
    QTest::addColumn<Linkage>("linkage");
    QTest::addColumn<QList<int>>("expected"); // merges as pairs, flattened
    QTest::addColumn<QList<int>>("twoClusters");
    // Points 0, 1, 2.1, 3.6 on a line. First 0-1 (distance 1). Then {0,1} to 2.1 is 1.1
    // (single), 2.1 (complete) or 1.6 (average), against 1.5 for 2.1-3.6.
    QTest::newRow("single") << Linkage::Single << QList<int>{0, 1, 0, 2, 0, 3} << QList<int>{0, 0, 0, 1};
    QTest::newRow("complete") << Linkage::Complete << QList<int>{0, 1, 2, 3, 0, 2} << QList<int>{0, 0, 1, 1};
    QTest::newRow("average") << Linkage::Average << QList<int>{0, 1, 2, 3, 0, 2} << QList<int>{0, 0, 1, 1};
}

void TestAtcClustering::handWorkedOrder()
{
    QFETCH(Linkage, linkage);
    QFETCH(QList<int>, expected);
    QFETCH(QList<int>, twoClusters);
    const std::vector<double> d = lineDistances({0, 1, 2.1, 3.6});
    Merges merges;
    agglomerativeClustering(d, 4, 1, linkage, &merges);
    QList<int> flat;
    for (const auto& [a, b] : merges)
        flat << a << b;
    QCOMPARE(flat, expected);
    const std::vector<int> labels = agglomerativeClustering(d, 4, 2, linkage);
    QCOMPARE(QList<int>(labels.begin(), labels.end()), twoClusters);
}

void TestAtcClustering::matchesBruteForce_data()
{
    QTest::addColumn<Linkage>("linkage");
    QTest::addColumn<int>("seed");
    for (int seed = 1; seed <= 4; ++seed) {
        QTest::addRow("single %d", seed) << Linkage::Single << seed;
        QTest::addRow("complete %d", seed) << Linkage::Complete << seed;
        QTest::addRow("average %d", seed) << Linkage::Average << seed;
    }
}

void TestAtcClustering::matchesBruteForce()
{
    QFETCH(Linkage, linkage);
    QFETCH(int, seed);
    // 14 random unit vectors in 5 dimensions, cosine distances (as ATC clusters keys).
    std::mt19937 gen(static_cast<unsigned>(seed));
    std::normal_distribution<double> normal;
    const int n = 14, dim = 5;
    std::vector<std::vector<double>> v(n, std::vector<double>(dim));
    for (auto& p : v) {
        double norm = 0;
        for (double& c : p) {
            c = normal(gen);
            norm += c * c;
        }
        for (double& c : p)
            c /= std::sqrt(norm);
    }
    std::vector<double> d(static_cast<std::size_t>(n * n));
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            double dot = 0;
            for (int c = 0; c < dim; ++c)
                dot += v[i][c] * v[j][c];
            d[static_cast<std::size_t>(i * n + j)] = i == j ? 0 : 1 - dot;
        }
    Merges merges;
    const std::vector<int> labels = agglomerativeClustering(d, n, 1, linkage, &merges);
    QCOMPARE(merges, bruteForce(d, n, 1, linkage));
    // Cut at 5 clusters: the labels are the brute force's groups numbered by first member.
    const std::vector<int> five = agglomerativeClustering(d, n, 5, linkage);
    const Merges first = bruteForce(d, n, 5, linkage);
    std::vector<int> root(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        root[static_cast<std::size_t>(i)] = i;
    for (const auto& [a, b] : first)
        for (int& r : root)
            if (r == b)
                r = a;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            QCOMPARE(five[static_cast<std::size_t>(i)] == five[static_cast<std::size_t>(j)],
                     root[static_cast<std::size_t>(i)] == root[static_cast<std::size_t>(j)]);
    QCOMPARE(*std::max_element(five.begin(), five.end()), 4);
    QCOMPARE(labels, std::vector<int>(static_cast<std::size_t>(n), 0));
}

void TestAtcClustering::regroupingKeepsPrefix()
{
    // Class token and a register (prefix 2) pointing the same way as the patches: never clustered.
    // Patches at 0, 10, 90, 95, 180 degrees, r = 2: 90-95 join, then 0-10.
    const std::vector<double> angles = {0, 0, 0, 10, 90, 95, 180};
    c10::InferenceMode guard;
    torch::Tensor keys = torch::zeros({1, 1, 7, 2});
    for (int i = 0; i < 7; ++i) {
        keys[0][0][i][0] = std::cos(angles[static_cast<std::size_t>(i)] * M_PI / 180);
        keys[0][0][i][1] = std::sin(angles[static_cast<std::size_t>(i)] * M_PI / 180);
    }
    for (Linkage l : {Linkage::Single, Linkage::Complete, Linkage::Average}) {
        const Regrouping g = atcMerge(keys, 2, l, /*prefixTokens=*/2);
        QCOMPARE(g.tokens, 5);
        QCOMPARE(g.target.front(), (std::vector<int>{0, 1, 2, 2, 3, 3, 4}));
    }
    // r is clamped to one cluster of the five patches.
    QCOMPARE(atcMerge(keys, 50, Linkage::Average, 2).tokens, 3);
}

QTEST_GUILESS_MAIN(TestAtcClustering)
#include "tst_atc_clustering.moc"
