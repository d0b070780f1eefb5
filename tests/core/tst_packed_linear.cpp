// The packed linear kernel (core/nn/packed_linear.h) against torch's linear, computed in double
// as the reference: every tile size (1..8 rows; several tiles split evenly), panel remainders (out
// not a multiple of 32), both kernels (the processor's best and the portable one), strided
// inputs, leading batch dimensions, and the cache seeing weights that change.
#include "core/nn/ops.h"
#include "core/nn/packed_linear.h"
#include "core/util/threads.h"
#include "core/vit/vit_handle.h"

#include <c10/core/InferenceMode.h>

#include <QtTest>

using namespace ts;

Q_DECLARE_METATYPE(ts::GemmKernel)

namespace {

// Largest |got - reference| relative to the size of the terms summed (sum over k of |x w|),
// so the bound does not depend on the scale or length of the sums.
double relativeError(const torch::Tensor& got, const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b)
{
    const torch::Tensor xd = x.to(torch::kDouble), wd = w.to(torch::kDouble);
    torch::Tensor ref = torch::matmul(xd, wd.t());
    if (b.defined())
        ref = ref + b.to(torch::kDouble);
    const torch::Tensor magnitude = torch::matmul(xd.abs(), wd.abs().t()) + 1e-30;
    return ((got.to(torch::kDouble) - ref).abs() / magnitude).max().item<double>();
}

} // namespace

class TestPackedLinear : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { configureThreads(); }
    void matchesReference_data();
    void matchesReference();
    void packingLayout();
    void stridedAndBatchedInputs();
    void fallsBackWhereItDoesNotApply();
    void seesChangedWeights();
    void transposedViewsAndNoBias();
    void serialEqualsThreaded();
    void vitBlockUsesPackedWeights();
};

void TestPackedLinear::matchesReference_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("in");
    QTest::addColumn<int>("out");
    QTest::addColumn<bool>("bias");
    QTest::addColumn<ts::GemmKernel>("kernel");
    for (GemmKernel kernel : {GemmKernel::Best, GemmKernel::Portable}) {
        const char* k = kernel == GemmKernel::Best ? "best" : "portable";
        // Rows: every remainder of the 8-row (AVX-512), 3-row (AVX2) and 2-row tiles, a whole
        // row block (96) and past it, and the largest the layer accepts.
        for (int rows : {1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 21, 96, 97, 197, 512})
            QTest::addRow("%s rows %d, 384 -> 1152", k, rows) << rows << 384 << 1152 << true << kernel;
        // Outputs: panel remainders (1, 31, 33 columns), fewer than one panel, odd inputs.
        QTest::addRow("%s 5 rows, 3 -> 1", k) << 5 << 3 << 1 << true << kernel;
        QTest::addRow("%s 9 rows, 64 -> 31", k) << 9 << 64 << 31 << true << kernel;
        QTest::addRow("%s 11 rows, 65 -> 33", k) << 11 << 65 << 33 << false << kernel;
        // Sums in chunks of 256 k: exactly one, one and a bit, a remainder, six.
        QTest::addRow("%s 10 rows, 256 -> 64", k) << 10 << 256 << 64 << true << kernel;
        QTest::addRow("%s 10 rows, 257 -> 64", k) << 10 << 257 << 64 << true << kernel;
        QTest::addRow("%s 11 rows, 300 -> 33", k) << 11 << 300 << 33 << true << kernel;
        QTest::addRow("%s 13 rows, 1536 -> 384", k) << 13 << 1536 << 384 << true << kernel;
        QTest::addRow("%s 1 row, 768 -> 1000", k) << 1 << 768 << 1000 << true << kernel;
    }
}

void TestPackedLinear::matchesReference()
{
    QFETCH(int, rows);
    QFETCH(int, in);
    QFETCH(int, out);
    QFETCH(bool, bias);
    QFETCH(ts::GemmKernel, kernel);
    torch::manual_seed(rows * 7919 + in * 31 + out);
    const torch::Tensor x = torch::randn({rows, in});
    const torch::Tensor w = torch::randn({out, in}) * 0.05;
    const torch::Tensor b = bias ? torch::randn({out}) : torch::Tensor();
    const PackedWeights packed = packWeights(w, b);
    // One guard row after the output: a write past [rows, out] would change it.
    torch::Tensor buffer = torch::full({rows + 1, out}, std::nanf(""));
    buffer[rows].fill_(-12345.0f);
    packedMatmul(x.data_ptr<float>(), rows, packed, buffer.data_ptr<float>(), kernel);
    QVERIFY(torch::equal(buffer[rows], torch::full({out}, -12345.0f)));
    const torch::Tensor y = buffer.slice(0, 0, rows);
    // float32 sums of `in` terms: a few units of 2^-24 per term at most.
    const double err = relativeError(y, x, w, b);
    QVERIFY2(err < 4e-7 * std::sqrt(static_cast<double>(in)) + 1e-6,
             qPrintable(QString("relative error %1").arg(err)));
    // Nothing outside [rows, out] written, nothing inside left unwritten (NaN-filled before).
    QVERIFY(!y.isnan().any().item<bool>());
}

void TestPackedLinear::packingLayout()
{
    // 40 outputs = one full panel and one of 8 columns, zero-padded to 32.
    const torch::Tensor w = torch::arange(40 * 3, torch::kFloat32).reshape({40, 3});
    const torch::Tensor b = torch::arange(40, torch::kFloat32);
    const PackedWeights p = packWeights(w, b);
    QCOMPARE(p.out, std::int64_t(40));
    QCOMPARE(p.in, std::int64_t(3));
    QCOMPARE(p.panels.size(), std::size_t(2 * 3 * 32));
    // panels[panel][k][column] = w[panel * 32 + column][k]
    QCOMPARE(p.panels[0 * 96 + 2 * 32 + 5], w[5][2].item<float>());
    QCOMPARE(p.panels[1 * 96 + 1 * 32 + 7], w[39][1].item<float>());
    QCOMPARE(p.panels[1 * 96 + 1 * 32 + 8], 0.0f);
    QCOMPARE(p.bias[39], 39.0f);
    QCOMPARE(p.bias[40], 0.0f);
}

void TestPackedLinear::stridedAndBatchedInputs()
{
    torch::manual_seed(3);
    const torch::Tensor w = torch::randn({70, 48}), b = torch::randn({70});
    PackedLinear layer;
    // [2, 5, 48] with a transposed (non-contiguous) layout, as the attention's head merge makes.
    const torch::Tensor x = torch::randn({2, 48, 5}).transpose(1, 2);
    QVERIFY(!x.is_contiguous());
    const torch::Tensor y = layer.tryForward(x, w, b);
    QVERIFY(y.defined());
    QCOMPARE(y.sizes().vec(), (std::vector<std::int64_t>{2, 5, 70}));
    QVERIFY(relativeError(y.reshape({10, 70}), x.reshape({10, 48}), w, b) < 1e-5);
    QVERIFY(layer.packedBytes() >= 70 * 48 * 4);
    // Zero rows: an empty result of the right shape.
    const torch::Tensor empty = layer.tryForward(torch::randn({0, 48}), w, b);
    QVERIFY(empty.defined());
    QCOMPARE(empty.sizes().vec(), (std::vector<std::int64_t>{0, 70}));
}

void TestPackedLinear::fallsBackWhereItDoesNotApply()
{
    const torch::Tensor w = torch::randn({8, 4}), b = torch::randn({8});
    PackedLinear layer;
    // Many rows of a wide input go to the large-product path; of a narrow one, stay here.
    const std::int64_t wideIn = PackedLinear::kMaxInAtAnyRows + 1;
    PackedLinear wideLayer;
    QVERIFY(!wideLayer.tryForward(torch::randn({PackedLinear::kMaxRows + 1, wideIn}), torch::randn({8, wideIn}), b).defined());
    QVERIFY(layer.tryForward(torch::randn({PackedLinear::kMaxRows + 1, 4}), w, b).defined());
    // Where it is ahead of oneDNN, on any processor: a few rows, never more than it takes.
    QVERIFY(PackedLinear::aheadOfOneDnn(PackedLinear::kMaxRowsAheadNarrow, wideIn));
    QVERIFY(!PackedLinear::aheadOfOneDnn(PackedLinear::kMaxRows + 1, wideIn));
    QVERIFY(!layer.tryForward(torch::randn({3, 4}, torch::kDouble), w, b).defined());
    QVERIFY(!layer.tryForward(torch::randn({3, 5}), w, b).defined()); // wrong width
    // Autograd recording: the packed path would lose the graph.
    const torch::Tensor wg = w.clone().requires_grad_(true);
    QVERIFY(!layer.tryForward(torch::randn({3, 4}), wg, b).defined());
    {
        c10::InferenceMode guard;
        QVERIFY(layer.tryForward(torch::randn({3, 4}), wg, b).defined());
        // Weights made under inference mode have no version counter: never packed.
        const torch::Tensor wi = torch::randn({8, 4});
        QVERIFY(!layer.tryForward(torch::randn({3, 4}), wi, b).defined());
    }
    // ops::linear gives torch's result whichever path it takes.
    const torch::Tensor x = torch::randn({PackedLinear::kMaxRows + 1, 4});
    QVERIFY(torch::allclose(ops::linear(x, w, b, "t", &layer), torch::nn::functional::linear(x, w, b)));
    const torch::Tensor xw = torch::randn({PackedLinear::kMaxRows + 1, wideIn}), ww = torch::randn({8, wideIn});
    QVERIFY(torch::allclose(ops::linear(xw, ww, b, "t", &wideLayer), torch::nn::functional::linear(xw, ww, b), 1e-4, 1e-4));
}

void TestPackedLinear::seesChangedWeights()
{
    torch::manual_seed(5);
    torch::Tensor w = torch::randn({40, 16}), b = torch::randn({40});
    const torch::Tensor x = torch::randn({6, 16});
    const torch::Tensor w2 = torch::randn({40, 16});
    PackedLinear layer;
    c10::InferenceMode guard;
    const torch::Tensor before = layer.tryForward(x, w, b);
    QVERIFY(relativeError(before, x, w, b) < 1e-5);
    // In place (as a checkpoint load or a test's zeroing does): the version counter moves.
    w.mul_(-2.0);
    QVERIFY(relativeError(layer.tryForward(x, w, b), x, w, b) < 1e-5);
    b.zero_();
    QVERIFY(relativeError(layer.tryForward(x, w, b), x, w, b) < 1e-5);
    // Another tensor altogether.
    QVERIFY(relativeError(layer.tryForward(x, w2, b), x, w2, b) < 1e-5);
}

void TestPackedLinear::transposedViewsAndNoBias()
{
    // A square weight and its transpose share memory and version counter: told apart by strides.
    torch::manual_seed(8);
    const torch::Tensor w = torch::randn({48, 48}), x = torch::randn({5, 48});
    PackedLinear layer;
    QVERIFY(relativeError(layer.tryForward(x, w, {}), x, w, {}) < 1e-5);
    const torch::Tensor wt = w.t();
    QVERIFY(relativeError(layer.tryForward(x, wt, {}), x, wt, {}) < 1e-5);
    // A weight freed and another made in its place: the packed copy holds the old storage, so the
    // new one cannot take its address and pass for it.
    PackedLinear again;
    for (int i = 0; i < 3; ++i) {
        const torch::Tensor wi = torch::randn({40, 48});
        QVERIFY(relativeError(again.tryForward(x, wi, {}), x, wi, {}) < 1e-5);
    }
}

void TestPackedLinear::serialEqualsThreaded()
{
    // Threads split output panels and row blocks, never a sum: the bits do not depend on them.
    torch::manual_seed(9);
    const torch::Tensor w = torch::randn({300, 200}), b = torch::randn({300}), x = torch::randn({150, 200});
    const PackedWeights packed = packWeights(w, b);
    torch::Tensor threaded = torch::empty({150, 300}), serial = torch::empty({150, 300});
    packedMatmul(x.data_ptr<float>(), 150, packed, threaded.data_ptr<float>());
    {
        SerialSection one;
        packedMatmul(x.data_ptr<float>(), 150, packed, serial.data_ptr<float>());
    }
    QVERIFY(torch::equal(threaded, serial));
}

void TestPackedLinear::vitBlockUsesPackedWeights()
{
    // A ViT block at batch 1 goes through the packed weights and agrees with the same block on
    // more than kMaxRows rows, where fc2 (768 inputs) takes the large-product path. Which
    // processors that holds for: aheadOfOneDnn.
    ModelSource source;
    source.preset = "vit-ti16";
    const VitModelPtr model = buildVit(source);
    c10::InferenceMode guard;
    const Block block = model->net->block(0);
    // 197 tokens where the packed path is ahead of oneDNN at that many rows (AVX-512), else as
    // many as it is ahead on.
    const std::int64_t tokens = PackedLinear::aheadOfOneDnn(197, 768) ? 197 : PackedLinear::kMaxRowsAheadNarrow;
    const torch::Tensor x = torch::randn({1, tokens, 192});
    const torch::Tensor packedOut = block->forward(x);
    QVERIFY(block->attn->qkvPacked.packedBytes() > 0);
    QVERIFY(block->mlp->fc2Packed.packedBytes() > 0);
    // Copies side by side make more than kMaxRows rows.
    const torch::Tensor wide = block->forward(x.expand({PackedLinear::kMaxRows / tokens + 1, tokens, 192}).contiguous());
    QVERIFY(wide.size(0) * wide.size(1) > PackedLinear::kMaxRows);
    const double diff = (wide[1] - packedOut[0]).abs().max().item<double>();
    QVERIFY2(diff < 1e-4, qPrintable(QString("max |packed - torch| = %1").arg(diff)));
}

QTEST_GUILESS_MAIN(TestPackedLinear)
#include "tst_packed_linear.moc"
