// timm's ViT families on checkpoints written here in timm's key layout: each loaded model's output
// against a forward pass written in the test from timm's architecture (tests/core/reference_vit.h),
// ToMe protecting every prefix token, and the refusals.
#include "core/reduction/budget_solver.h"
#include "core/reduction/reduction_flops.h"
#include "core/tome/bipartite_matching.h"
#include "core/tome/tome_api.h"
#include "core/util/error.h"
#include "core/vit/vit_handle.h"
#include "tests/core/reference_vit.h"

#include <QTemporaryDir>
#include <QtTest>

#include <c10/core/InferenceMode.h>

#include <limits>

using namespace ts;
using test::RefArch;

namespace {

// Float tolerance for a forward pass of a few small blocks: sums of ~100 products per output,
// rounded differently by BLAS kernels (OPENBLAS_CORETYPE) and by the app's packed products.
bool close(const torch::Tensor& a, const torch::Tensor& b)
{
    const double scale = std::max(1.0, b.abs().max().item<double>());
    return a.sizes() == b.sizes() && (a - b).abs().max().item<double>() <= 2e-4 * scale;
}

torch::Tensor randomImage(int size, std::uint64_t seed)
{
    return torch::randn({1, 3, size, size}, at::detail::createCPUGenerator(seed));
}

VitModelPtr load(const std::string& path, int size)
{
    ModelSource source;
    source.checkpoint = path;
    source.imageSize = size;
    return buildVit(source);
}

// A random RGB image whose crop at `size` the model sees, for runToMe.
cv::Mat randomRgb(int size, unsigned seed)
{
    cv::Mat m(size, size, CV_8UC3);
    cv::theRNG().state = seed;
    cv::randu(m, cv::Scalar::all(0), cv::Scalar::all(255));
    return m;
}

} // namespace

class TestCheckpointFamilies : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesTimmForward_data();
    void matchesTimmForward();
    void distilledToMeProtectsBothTokens();
    void registersProtectedAndCounted();
    void prefixModelsAnalyticFlopsEqualMeasured_data();
    void prefixModelsAnalyticFlopsEqualMeasured();
    void mergedSequenceKeepsPrefixFirst();
    void averagePoolWeighsMergedTokensBySize();
    void refused_data();
    void refused();

private:
    std::string path(const QString& name) const { return m_dir.filePath(name).toStdString(); }
    QTemporaryDir m_dir;
};

void TestCheckpointFamilies::matchesTimmForward_data()
{
    QTest::addColumn<int>("variant");
    QTest::addColumn<int>("size");
    QTest::addColumn<QString>("family");
    QTest::addColumn<int>("prefix");
    for (int v = 0; v < 9; ++v) {
        static const char* names[] = {"DeiT distilled",     "LayerScale patch 8",   "registers no_embed_class patch 14",
                                      "norm_pre patch 32",  "avg pool fc_norm",     "no head (features)",
                                      "distilled no head",  "non-square grid",      "resized 2x2 -> 4x4"};
        static const int sizes[] = {32, 32, 28, 64, 32, 32, 32, 32, 64};
        static const char* families[] = {"deit-distilled", "vit-layerscale (DeiT-III style)", "dinov2-registers",
                                         "vit-norm-pre (CLIP style)", "vit-gap (MAE style)", "vit", "deit-distilled",
                                         "vit_test_patch16_nonsquare", "vit"};
        static const int prefixes[] = {2, 1, 5, 1, 1, 1, 2, 1, 1};
        QTest::newRow(names[v]) << v << sizes[v] << families[v] << prefixes[v];
    }
}

void TestCheckpointFamilies::matchesTimmForward()
{
    QFETCH(int, variant);
    QFETCH(int, size);
    QFETCH(QString, family);
    QFETCH(int, prefix);
    RefArch a;
    switch (variant) {
    case 0: a.dist = a.distHead = true; break;
    case 1: a.layerScale = true; a.patch = 8; a.rows = a.cols = 4; break;
    case 2: a.layerScale = true; a.patch = 14; a.registers = 4; a.noEmbedClass = true; a.classes = 0; break;
    case 3: a.normPre = true; a.patch = 32; break;
    case 4: a.avgPool = a.fcNorm = true; a.finalNorm = false; break;
    case 5: a.classes = 0; break;
    case 6: a.dist = true; a.classes = 0; break;
    case 7: a.rows = 2; a.cols = 4; break; // stored 32 x 64, used at 32 x 32
    case 8: break;
    }
    const test::Tensors w = test::timmWeights(a, 100 + static_cast<std::uint64_t>(variant));
    const std::string file = path("timm" + QString::number(variant) + "/model.safetensors");
    test::writeTensors(file, w, {{"num_heads", "2"}});
    if (variant == 7) // the grid's shape is only in the side file
        test::writeText(path("timm7/config.json"),
                        R"({"architecture": "vit_test_patch16_nonsquare", "num_classes": 5,
                            "pretrained_cfg": {"input_size": [3, 32, 64], "crop_pct": 0.9, "interpolation": "bicubic"}})");
    VitModelPtr model = load(variant % 2 ? file : path("timm" + QString::number(variant)), size); // file or folder
    const VitConfig& c = vitConfigOf(*model);
    QCOMPARE(QString::fromStdString(c.family), family);
    QCOMPARE(c.prefixTokens(), prefix);
    QCOMPARE(c.patchSize, a.patch);
    QCOMPARE(QString::fromStdString(c.format), QString("timm"));

    c10::InferenceMode guard;
    const torch::Tensor image = randomImage(size, 7);
    const torch::Tensor want = test::timmForward(w, a, image);
    const torch::Tensor got = model->net->forward(image);
    QVERIFY2(close(got, want), qPrintable(QString("max difference %1").arg((got - want).abs().max().item<double>())));

    // ToMe at r = 0 gives the same output vector.
    ToMeRequest request;
    request.model = model;
    request.imageRgb = randomRgb(size, 3);
    request.schedule = ToMeSchedule::constant(0);
    request.measurePlain = false;
    const ToMeResult result = runToMe(request);
    QCOMPARE(static_cast<int>(result.output.size()), a.classes > 0 ? a.classes : a.width);
    QCOMPARE(result.tokens.front(), c.numPatches() + prefix);
}

void TestCheckpointFamilies::distilledToMeProtectsBothTokens()
{
    RefArch a;
    a.dist = a.distHead = true;
    a.rows = a.cols = 4;
    const test::Tensors w = test::timmWeights(a, 5);
    test::writeTensors(path("dist.safetensors"), w, {{"num_heads", "2"}});
    ToMeRequest request;
    request.model = load(path("dist.safetensors"), 64);
    request.imageRgb = randomRgb(64, 9);
    request.schedule = ToMeSchedule::constant(4);
    request.measurePlain = false;
    const ToMeResult result = runToMe(request);
    // 18 tokens: each block merges min(4, (n - 2) / 2).
    const std::vector<int> expected = {18, 14, 10};
    QCOMPARE(result.tokens, expected);
    for (std::size_t k = 0; k < result.sizes.size(); ++k) {
        QCOMPARE(result.sizes[k][0], 1); // class token
        QCOMPARE(result.sizes[k][1], 1); // distillation token, still second
        for (int holder : result.tokenOfPatch[k])
            QVERIFY(holder >= 2);
        int total = 0;
        for (int s : result.sizes[k])
            total += s;
        QCOMPARE(total, 18);
    }
}

void TestCheckpointFamilies::registersProtectedAndCounted()
{
    RefArch a;
    a.patch = 14;
    a.layerScale = true;
    a.registers = 4;
    a.noEmbedClass = true;
    a.rows = a.cols = 3;
    test::writeTensors(path("reg/model.safetensors"), test::timmWeights(a, 6), {{"num_heads", "2"}});
    ToMeRequest request;
    request.model = load(path("reg"), 42);
    request.imageRgb = randomRgb(42, 2);
    request.schedule = ToMeSchedule::constant(3);
    request.measurePlain = false;
    const ToMeResult result = runToMe(request);
    QCOMPARE(result.tokens, (std::vector<int>{14, 11, 8})); // 9 patches + 5 prefix; min(3, (n - 5) / 2)
    for (std::size_t k = 0; k < result.sizes.size(); ++k) {
        for (int t = 0; t < 5; ++t)
            QCOMPARE(result.sizes[k][static_cast<std::size_t>(t)], 1);
        for (int holder : result.tokenOfPatch[k])
            QVERIFY(holder >= 5);
    }
}

void TestCheckpointFamilies::prefixModelsAnalyticFlopsEqualMeasured_data()
{
    QTest::addColumn<bool>("distilled");
    QTest::newRow("DeiT distilled (2 prefix tokens, 2 heads)") << true;
    QTest::newRow("4 registers, no class embedding") << false;
}

// Every method's analytic count, which the budget solver uses, equals the run's own products on
// models with several prefix tokens; the distillation head is a second head product.
void TestCheckpointFamilies::prefixModelsAnalyticFlopsEqualMeasured()
{
    QFETCH(bool, distilled);
    RefArch a;
    if (distilled) {
        a.dist = a.distHead = true;
        a.rows = a.cols = 6;
    } else {
        a.patch = 14;
        a.registers = 4;
        a.noEmbedClass = true;
        a.rows = a.cols = 6;
    }
    const std::string file = path(distilled ? "flops-dist.safetensors" : "flops-reg.safetensors");
    test::writeTensors(file, test::timmWeights(a, 8), {{"num_heads", "2"}});
    const int size = a.patch * a.rows;
    const VitModelPtr model = load(file, size);
    const VitConfig& c = vitConfigOf(*model);
    QCOMPARE(c.prefixTokens(), distilled ? 2 : 5);
    const FlopBreakdown plain = reducedFlops(c, ReductionMethod::ToMe, std::vector<int>(std::size_t(c.depth), 0));
    const double oneHead = 2.0 * c.width * c.numClasses;
    QCOMPARE(plain.part("head"), distilled ? 2 * oneHead : oneHead);
    for (int m = 0; m < 4; ++m) {
        ReductionOptions o;
        o.method = static_cast<ReductionMethod>(m);
        if (o.method == ReductionMethod::EVit)
            o.layers = {0}; // its default layers (the 4th, 7th, 10th of 12) need 4 blocks
        const BudgetSchedule b = solveBudget(c, o, 0.8 * plainVitFlops(c));
        QVERIFY2(b.flops < plain.total, reductionMethodName(o.method));
        ToMeRequest request;
        request.model = model;
        request.imageRgb = randomRgb(size, 4);
        request.reduction = o;
        request.schedule = ToMeSchedule::explicitList(b.perLayer);
        request.measurePlain = false;
        const ToMeResult r = runToMe(request);
        QCOMPARE(r.flopsMerged.matmulTotal(), b.flops);
        QCOMPARE(std::vector<int>(r.tokens.begin() + 1, r.tokens.end()), b.tokens);
    }
}

// The merge with two protected tokens equals the authors' bipartite_soft_matching with
// class_token and distill_token, written here with tensor operations.
void TestCheckpointFamilies::mergedSequenceKeepsPrefixFirst()
{
    torch::manual_seed(4);
    const torch::Tensor metric = torch::randn({2, 11, 8}), x = torch::randn({2, 11, 5});
    const int r = 3;
    const MergePlan plan = bipartiteSoftMatching(metric, r, 2);
    QCOMPARE(plan.r, r);
    const auto got = mergeWeightedAverage(plan, x, torch::ones({2, 11, 1}));

    const torch::Tensor m = metric / metric.norm(2, -1, true);
    torch::Tensor scores = torch::matmul(m.slice(1, 0, 11, 2), m.slice(1, 1, 11, 2).transpose(1, 2));
    scores.select(1, 0).fill_(-std::numeric_limits<float>::infinity());
    scores.select(2, 0).fill_(-std::numeric_limits<float>::infinity());
    auto [nodeMax, nodeIdx] = scores.max(-1);
    const torch::Tensor edge = std::get<1>(nodeMax.sort(/*stable=*/true, -1, true)).unsqueeze(-1);
    const torch::Tensor unmIdx = std::get<0>(edge.slice(1, r).sort(1)), srcIdx = edge.slice(1, 0, r);
    const torch::Tensor dstIdx = nodeIdx.unsqueeze(-1).gather(1, srcIdx);
    const torch::Tensor src = x.slice(1, 0, 11, 2), dst = x.slice(1, 1, 11, 2);
    const torch::Tensor unm = src.gather(1, unmIdx.expand({2, -1, 5}));
    const torch::Tensor moved = src.gather(1, srcIdx.expand({2, r, 5}));
    const torch::Tensor summed = dst.scatter_add(1, dstIdx.expand({2, r, 5}), moved);
    const torch::Tensor count = torch::ones({2, 5, 1}).scatter_add(1, dstIdx, torch::ones({2, r, 1}));
    const torch::Tensor merged = summed / count;
    const torch::Tensor want = torch::cat({unm.slice(1, 0, 1), merged.slice(1, 0, 1), unm.slice(1, 1), merged.slice(1, 1)}, 1);
    QVERIFY(torch::allclose(got.first, want, 1e-6, 1e-6));
    QCOMPARE(got.first.size(1), 8L);
    // The tensor formulation and the source tracking keep the same order.
    QVERIFY(torch::allclose(mergeTokens(x, bipartiteSoftMatchingTensor(metric, r, 2), "mean"), want, 1e-6, 1e-6));
    const torch::Tensor source = mergeSource(plan, torch::eye(11).unsqueeze(0).expand({2, 11, 11}).contiguous());
    QCOMPARE(source[0][0][0].item<float>(), 1.0f);
    QCOMPARE(source[0][1][1].item<float>(), 1.0f);
    QCOMPARE(source.sum().item<float>(), 22.0f); // every original token held exactly once
}

// MAE-style average pooling after merging: a merged token counts for the patches it holds, so the
// pooled feature equals the plain mean when every merge is of equal tokens.
void TestCheckpointFamilies::averagePoolWeighsMergedTokensBySize()
{
    RefArch a;
    a.avgPool = a.fcNorm = true;
    a.finalNorm = false;
    a.classes = 0;
    test::writeTensors(path("gap.safetensors"), test::timmWeights(a, 8), {{"num_heads", "2"}});
    VitModelPtr model = load(path("gap.safetensors"), 32);
    c10::InferenceMode guard;
    const torch::Tensor tokens = torch::randn({1, 5, 32});
    // Tokens 3 and 4 stand for 2 and 3 patches each: the weighted mean counts them that often.
    const torch::Tensor size = torch::tensor({1.f, 1.f, 1.f, 2.f, 3.f}).reshape({1, 5, 1});
    const torch::Tensor expanded = torch::cat({tokens.slice(1, 1, 3), tokens.slice(1, 3, 4).expand({1, 2, 32}),
                                               tokens.slice(1, 4, 5).expand({1, 3, 32})}, 1);
    const torch::Tensor want = model->net->preLogits(torch::cat({tokens.slice(1, 0, 1), expanded}, 1));
    QVERIFY(torch::allclose(model->net->preLogits(tokens, size), want, 1e-5, 1e-5));
}

void TestCheckpointFamilies::refused_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("register count vs architecture") << "reg" << "'architecture' is 'vit_small_patch14_reg4_dinov2' (4 registers)";
    QTest::newRow("classes vs config") << "classes" << "'num_classes' is 1000 but 'head.weight'";
    QTest::newRow("pos_embed fits no grid") << "pos" << "'pos_embed' has 7 positions, expected 1 prefix token(s)";
    QTest::newRow("LayerScale in some blocks") << "ls" << "missing key 'blocks.1.ls1.gamma'";
    QTest::newRow("distilled without head_dist") << "headdist" << "missing key 'head_dist.weight'";
    QTest::newRow("reg_token shape") << "regshape" << "'reg_token' has shape [4, 32], expected 3 dimensions";
    QTest::newRow("bad interpolation") << "interp" << "'pretrained_cfg.interpolation' is 'lanczos'";
}

void TestCheckpointFamilies::refused()
{
    QFETCH(QString, kind);
    QFETCH(QString, messagePart);
    RefArch a;
    if (kind == "reg") {
        a.patch = 14;
        a.registers = 2;
        a.noEmbedClass = true;
    }
    if (kind == "ls")
        a.layerScale = true;
    if (kind == "headdist")
        a.dist = a.distHead = true;
    test::Tensors w = test::timmWeights(a, 9);
    if (kind == "pos")
        w["pos_embed"] = torch::zeros({1, 7, 32});
    if (kind == "ls")
        w.erase("blocks.1.ls1.gamma");
    if (kind == "headdist") {
        w.erase("head_dist.weight");
        w.erase("head_dist.bias");
    }
    if (kind == "regshape")
        w["reg_token"] = torch::zeros({4, 32});
    const std::string dir = path("bad_" + kind);
    test::writeTensors(dir + "/model.safetensors", w, {{"num_heads", "2"}});
    if (kind == "reg")
        test::writeText(dir + "/config.json", R"({"architecture": "vit_small_patch14_reg4_dinov2", "num_classes": 5})");
    if (kind == "classes")
        test::writeText(dir + "/config.json", R"({"architecture": "vit_small_patch16_224", "num_classes": 1000})");
    if (kind == "interp")
        test::writeText(dir + "/config.json",
                        R"({"architecture": "vit_small_patch16_224", "pretrained_cfg": {"interpolation": "lanczos"}})");
    try {
        load(dir, 32);
        QFAIL("the checkpoint was accepted");
    } catch (const ts::Error& e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.contains(messagePart), qPrintable(message));
        QVERIFY2(message.contains("bad_" + kind), qPrintable(message)); // names the file
        QVERIFY(!message.contains('\n'));
    }
}

QTEST_GUILESS_MAIN(TestCheckpointFamilies)
#include "tst_checkpoint_families.moc"
