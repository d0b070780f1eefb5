// PiToMe's merge step (core/pitome) on token sets built by hand: energies through the margin
// function, the protected (low-energy) set, the A/B split by energy rank, each A token's B
// token, the output order (prefix, protected by energy, B by rank), the merged features, and
// the margin schedule m0 - m0 l / L.
#include "core/pitome/pitome_merge.h"
#include "core/reduction/reduction_method.h"

#include <QtTest>

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>

using namespace ts;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Keys [1, 1, N, 2] (one head: the metric is the keys) of unit vectors at these angles (degrees).
torch::Tensor keysAt(const std::vector<double>& degrees)
{
    torch::Tensor k = torch::zeros({1, 1, static_cast<long>(degrees.size()), 2});
    for (std::size_t i = 0; i < degrees.size(); ++i) {
        k[0][0][static_cast<long>(i)][0] = std::cos(degrees[i] * kPi / 180);
        k[0][0][static_cast<long>(i)][1] = std::sin(degrees[i] * kPi / 180);
    }
    return k;
}

// The definition, from the angles alone: E_i = mean_j ELU(cos(a_i - a_j) - m).
double energyFromAngles(const std::vector<double>& a, std::size_t i, double m)
{
    double sum = 0;
    for (double aj : a) {
        const double x = std::cos((a[i] - aj) * kPi / 180) - m;
        sum += x > 0 ? x : std::exp(x) - 1;
    }
    return sum / static_cast<double>(a.size());
}

} // namespace

class TestPitomeMerge : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void energiesWorkedByHand();
    void protectedSetAndMatching();
    void regroupingOrderAndFeatures();
    void marginSchedule();
    void keepRatioSchedule();
};

void TestPitomeMerge::energiesWorkedByHand()
{
    // Four tokens at 0, 60, 120, 180 degrees: similarities 1, 1/2, -1/2, -1 from token 0.
    // With m = 0.5, token 0: ELU(0.5) + ELU(0) + ELU(-1) + ELU(-1.5) = 0.5 + 0 + (e^-1 - 1) + (e^-1.5 - 1).
    const float sim[16] = {1, 0.5f, -0.5f, -1, 0.5f, 1, 0.5f, -0.5f, -0.5f, 0.5f, 1, 0.5f, -1, -0.5f, 0.5f, 1};
    const PitomeChoice c = pitomeChoice(sim, 4, 1, 0.5);
    const double e0 = (0.5 + 0 + (std::exp(-1.0) - 1) + (std::exp(-1.5) - 1)) / 4; // -0.227248...
    const double e1 = (0 + 0.5 + 0 + (std::exp(-1.0) - 1)) / 4;                   // -0.033030...
    QVERIFY(std::abs(c.energy[0] - e0) < 1e-9);
    QVERIFY(std::abs(c.energy[0] - (-0.2272483)) < 1e-6);
    QVERIFY(std::abs(c.energy[1] - e1) < 1e-9);
    QVERIFY(std::abs(c.energy[1] - (-0.0330301)) < 1e-6);
    QCOMPARE(c.energy[2], c.energy[1]);
    QCOMPARE(c.energy[3], c.energy[0]);
    // The middle tokens (equal energies up to the order of the sums) rank first, then 0 and 3.
    QCOMPARE(std::min(c.order[0], c.order[1]), 1);
    QCOMPARE(std::max(c.order[0], c.order[1]), 2);
    QCOMPARE(std::min(c.order[2], c.order[3]), 0);
    QCOMPARE(std::max(c.order[2], c.order[3]), 3);
    QCOMPARE(c.a, std::vector<int>{c.order[0]});
    QCOMPARE(c.b, std::vector<int>{c.order[1]});
    QCOMPARE(c.protectedTokens, (std::vector<int>{c.order[2], c.order[3]}));
    QCOMPARE(c.destination, std::vector<int>{0});
}

void TestPitomeMerge::protectedSetAndMatching()
{
    // A tight group of four (0, 5, 12, 20 degrees) and two loners (100, 230): the group has the
    // high energies, so with r = 2 its four tokens are the candidates and the loners are protected.
    const std::vector<double> angles = {0, 5, 12, 20, 100, 230};
    const double m = 0.5;
    c10::InferenceMode guard;
    const torch::Tensor metric = keysAt(angles)[0][0];
    const torch::Tensor sim = torch::matmul(metric, metric.t()).contiguous();
    const PitomeChoice c = pitomeChoice(sim.data_ptr<float>(), 6, 2, m);
    for (std::size_t i = 0; i < angles.size(); ++i)
        QVERIFY2(std::abs(c.energy[i] - energyFromAngles(angles, i, m)) < 1e-6, qPrintable(QString::number(i)));
    // By hand (energies 0.1238, 0.1349, 0.1441, 0.1454, -0.2943, -0.5054): within the group the
    // energy grows towards 20 degrees, the side facing the loner at 100 (ELU rewards what is
    // above the margin linearly and punishes what is below only down to -1).
    QCOMPARE(c.order, (std::vector<int>{3, 2, 1, 0, 4, 5}));
    QCOMPARE(c.a, (std::vector<int>{3, 1}));     // ranks 0 and 2: 20 and 5 degrees
    QCOMPARE(c.b, (std::vector<int>{2, 0}));     // ranks 1 and 3: 12 and 0 degrees
    QCOMPARE(c.protectedTokens, (std::vector<int>{4, 5}));
    // 20 degrees is nearer 12 than 0 (B[0]); 5 degrees is nearer 0 than 12 (B[1]).
    QCOMPARE(c.destination, (std::vector<int>{0, 1}));
}

void TestPitomeMerge::regroupingOrderAndFeatures()
{
    // The same set behind a class token at 45 degrees (never merged, whatever it resembles).
    const std::vector<double> angles = {45, 0, 5, 12, 20, 100, 230};
    c10::InferenceMode guard;
    const torch::Tensor keys = keysAt(angles);
    const Regrouping g = pitomeMerge(keys, 2, 0.5, /*prefixTokens=*/1);
    QCOMPARE(g.tokens, 5);
    // Class; protected 100, 230 (by energy); B tokens 12 and 0 degrees (by rank); 20 joins 12, 5 joins 0.
    QCOMPARE(g.target.front(), (std::vector<int>{0, 4, 4, 3, 3, 1, 2}));
    torch::Tensor x = torch::arange(7, torch::kFloat).reshape({1, 7, 1}) * 10; // token i holds 10 i
    torch::Tensor size = torch::ones({1, 7, 1});
    size[0][1][0] = 3; // token 1 already holds three patches
    auto [y, s] = applyRegrouping(g, x, size);
    QCOMPARE(y.size(1), 5);
    QCOMPARE(y[0][0][0].item<float>(), 0.0f);
    QCOMPARE(y[0][1][0].item<float>(), 50.0f);
    QCOMPARE(y[0][2][0].item<float>(), 60.0f);
    QCOMPARE(y[0][3][0].item<float>(), 35.0f); // (30 + 40) / 2
    QCOMPARE(s[0][3][0].item<float>(), 2.0f);
    // (3 * 10 + 1 * 20) / 4 = 12.5: the size-weighted mean.
    QCOMPARE(y[0][4][0].item<float>(), 12.5f);
    QCOMPARE(s[0][4][0].item<float>(), 4.0f);
    QCOMPARE(s.sum().item<float>(), 9.0f);
}

void TestPitomeMerge::marginSchedule()
{
    QCOMPARE(pitomeMargin(0.9, 0, 12), 0.9);
    QVERIFY(std::abs(pitomeMargin(0.9, 6, 12) - 0.45) < 1e-12);
    QVERIFY(std::abs(pitomeMargin(0.9, 11, 12) - 0.075) < 1e-12);
    QVERIFY(std::abs(pitomeMargin(0.75, 3, 12) - 0.5625) < 1e-12);
}

void TestPitomeMerge::keepRatioSchedule()
{
    // pitome_vision: r = floor(T - T ratio) of the T non-class tokens, every block.
    ReductionOptions o;
    o.method = ReductionMethod::PiToMe;
    o.keepRatio = 0.9;
    const std::vector<int> r = reductionPerLayer(o, ToMeSchedule::constant(0), 4, 197, 1);
    // T = 196: floor(19.6) = 19; T = 177: floor(17.7) = 17; T = 160: 16; T = 144: floor(14.4) = 14.
    QCOMPARE(r, (std::vector<int>{19, 17, 16, 14}));
    QCOMPARE(tokenCountsAfterReduction(ReductionMethod::PiToMe, 197, r, 1), (std::vector<int>{178, 161, 145, 131}));
}

QTEST_GUILESS_MAIN(TestPitomeMerge)
#include "tst_pitome_merge.moc"
