// FIT's forward pass against independent references: a plain ViT block stack (one group, no
// global layers), windowed attention (write-back silenced), information staying inside groups,
// global layers mixing them, the FIT-AR flow, and checkpoints (FIT round trip, ViT blocks).
#include "core/fit/fit_api.h"
#include "core/fit/fit_checkpoint.h"
#include "core/fit/fit_model.h"
#include "core/vit/vit_api.h"
#include "core/vit/vit_handle.h"

#include <QTemporaryDir>
#include <QtTest>

#include <c10/core/InferenceMode.h>

using namespace ts;

namespace {

FitConfig smallConfig(int g, const std::string& pattern)
{
    FitConfig c;
    c.patchSize = 4;
    c.dataWidth = 32;
    c.heads = 2;
    c.latentWidth = 24; // differs from the data width: cross-attention projects
    c.latentHeads = 3;
    c.mlpRatio = 2;
    c.groupSize = g;
    c.latentsPerGroup = 3;
    c.pattern = pattern;
    return c;
}

// Raster tokens [P, c] -> grouped [t, n, c] with the torch-free Grouping as the reference layout.
torch::Tensor groupTokens(const Grouping& g, const torch::Tensor& raster)
{
    const int c = static_cast<int>(raster.size(1));
    torch::Tensor r = raster.contiguous();
    std::vector<float> values(r.data_ptr<float>(), r.data_ptr<float>() + r.numel());
    std::vector<float> grouped = g.group(values, c);
    return torch::from_blob(grouped.data(), {g.groups(), g.tokensPerGroup(), c}, torch::kFloat32).clone();
}

torch::Tensor ungroupTokens(const Grouping& g, const torch::Tensor& grouped)
{
    const int c = static_cast<int>(grouped.size(2));
    torch::Tensor r = grouped.contiguous();
    std::vector<float> values(r.data_ptr<float>(), r.data_ptr<float>() + r.numel());
    std::vector<float> raster = g.ungroup(values, c);
    return torch::from_blob(raster.data(), {g.patches(), c}, torch::kFloat32).clone();
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

void zeroCrossOutput(const CrossAttention& cross)
{
    torch::NoGradGuard noGrad;
    cross->proj->weight.zero_();
    cross->proj->bias.zero_();
}

} // namespace

class TestFitModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void oneGroupWithoutGlobalIsVitStack();
    void silencedWriteIsWindowedAttention_data();
    void silencedWriteIsWindowedAttention();
    void informationStaysInItsGroup();
    void globalLayersMixGroups();
    void autoregressiveFlow();
    void recordedWeightsAreDistributions();
    void checkpointRoundTrip();
    void checkpointMismatchIsRefused();
    void vitCheckpointInitialisesLocalLayers();
};

// With one group (g = grid) and only local layers, FIT is a ViT block stack on the patch tokens.
// The reference is a timm-style VisionTransformer built from a saved ViT checkpoint.
void TestFitModel::oneGroupWithoutGlobalIsVitStack()
{
    c10::InferenceMode guard;
    QTemporaryDir dir;
    const std::string path = dir.filePath("vit.safetensors").toStdString();
    ModelSource source;
    source.preset = "vit-ti16";
    source.imageSize = 64; // 4 x 4 patches
    source.seed = 11;
    VitModelPtr vit = buildVit(source);
    saveVitCheckpoint(*vit, path);

    FitConfig config;
    config.patchSize = 16;
    config.dataWidth = 192;
    config.heads = 3;
    config.latentWidth = 192;
    config.latentHeads = 3;
    config.groupSize = 4;
    config.latentsPerGroup = 2;
    config.pattern = "L(3)";
    FitModel fit(config, Grouping(4, 4, 4));
    fit->initialiseRandom(5);
    QCOMPARE(initialiseFromVit(*fit, readSafetensors(path)), 3);

    torch::manual_seed(0);
    torch::Tensor image = torch::randn({1, 3, 64, 64});
    FitForwardOptions options;
    options.finalNorm = false;
    torch::Tensor ours = fit->forward(fit->embed(image), options).x; // [1, 16, 192]

    const VisionTransformerImpl& net = *vit->net;
    torch::Tensor x = net.patch_embed->forward(image) + net.pos_embed.narrow(1, 1, 16); // no class token
    for (int i = 0; i < 3; ++i)
        x = net.block(i)->forward(x);
    const double diff = maxDiff(ours, x);
    QVERIFY2(diff < 1e-4, qPrintable(QString("max |FIT - ViT| = %1").arg(diff)));
}

void TestFitModel::silencedWriteIsWindowedAttention_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<int>("g");
    QTest::addColumn<int>("chunkTokens");
    QTest::newRow("8x12 g4, one group per chunk") << 8 << 12 << 4 << 16;
    QTest::newRow("8x12 g4, 3 groups per chunk") << 8 << 12 << 4 << 48;
    QTest::newRow("7x10 g4 padded") << 7 << 10 << 4 << 32;
    QTest::newRow("5x5 g3 padded, all in one chunk") << 5 << 5 << 3 << 4096;
}

// Zeroing the write-back's output projection gives the data tokens zero contribution from the
// latents; what remains must be the local layers run on each window alone (padding excluded).
void TestFitModel::silencedWriteIsWindowedAttention()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(int, g);
    QFETCH(int, chunkTokens);
    c10::InferenceMode guard;
    const Grouping grouping(rows, cols, g);
    FitModel fit(smallConfig(g, "L(1)G(1)L(2)G(2)L(1)"), grouping);
    fit->initialiseRandom(7);
    torch::manual_seed(1);
    const torch::Tensor raster = torch::randn({grouping.patches(), 32});
    FitForwardOptions options;
    options.chunkTokens = chunkTokens;
    options.finalNorm = false;

    // The latents do change the data path before silencing (so the comparison below can fail).
    torch::Tensor full = ungroupTokens(grouping, fit->forward(groupTokens(grouping, raster), options).x);
    for (int b = 0; b < 2; ++b)
        zeroCrossOutput(fit->block(b)->write);
    torch::Tensor windowed = ungroupTokens(grouping, fit->forward(groupTokens(grouping, raster), options).x);

    std::vector<Block> locals = {fit->block(0)->localLayer(0), fit->block(1)->localLayer(0), fit->block(1)->localLayer(1),
                                 fit->block(2)->localLayer(0)};
    torch::Tensor reference = torch::empty_like(raster);
    for (int group = 0; group < grouping.groups(); ++group) {
        int r0, c0, h, w;
        grouping.groupRect(group, &r0, &c0, &h, &w);
        std::vector<std::int64_t> patches;
        for (int r = r0; r < r0 + h; ++r)
            for (int c = c0; c < c0 + w; ++c)
                patches.push_back(r * cols + c);
        torch::Tensor index = torch::tensor(patches, torch::kLong);
        torch::Tensor x = raster.index_select(0, index).unsqueeze(0);
        for (const Block& layer : locals)
            x = layer->forward(x);
        reference.index_copy_(0, index, x[0]);
    }
    const double diff = maxDiff(windowed, reference);
    QVERIFY2(diff < 1e-4, qPrintable(QString("max |FIT - windowed| = %1").arg(diff)));
    QVERIFY(maxDiff(full, reference) > 1e-3);
}

// Global layers silenced (zero attention and MLP outputs make them identities): a change to one
// group's token reaches only that group, through local layers, read and write alike.
void TestFitModel::informationStaysInItsGroup()
{
    c10::InferenceMode guard;
    const Grouping grouping(6, 6, 3); // 4 groups
    FitModel fit(smallConfig(3, "L(1)G(1)L(1)G(1)"), grouping);
    fit->initialiseRandom(3);
    for (int b = 0; b < 2; ++b) {
        Block layer = fit->block(b)->globalLayer(0);
        torch::NoGradGuard noGrad;
        for (auto* lin : {&layer->attn->proj, &layer->mlp->fc2}) {
            (*lin)->weight.zero_();
            (*lin)->bias.zero_();
        }
    }
    torch::manual_seed(2);
    torch::Tensor x = torch::randn({4, 9, 32});
    torch::Tensor perturbed = x.clone();
    perturbed[2][4] += torch::randn({32}); // not a constant shift, which LayerNorm would remove
    FitOutput a = fit->forward(x.clone()), b = fit->forward(perturbed);
    for (int group = 0; group < 4; ++group) {
        const double dx = maxDiff(a.x[group], b.x[group]), dl = maxDiff(a.latents[group], b.latents[group]);
        if (group == 2) {
            QVERIFY(dx > 1e-4);
            QVERIFY(dl > 1e-4);
        } else {
            QCOMPARE(dx, 0.0);
            QCOMPARE(dl, 0.0);
        }
    }
}

void TestFitModel::globalLayersMixGroups()
{
    c10::InferenceMode guard;
    const Grouping grouping(6, 6, 3);
    FitModel fit(smallConfig(3, "L(1)G(1)L(1)G(1)"), grouping);
    fit->initialiseRandom(3);
    torch::manual_seed(2);
    torch::Tensor x = torch::randn({4, 9, 32});
    torch::Tensor perturbed = x.clone();
    perturbed[2][4] += torch::randn({32}); // not a constant shift, which LayerNorm would remove
    FitOutput a = fit->forward(x.clone()), b = fit->forward(perturbed);
    for (int group = 0; group < 4; ++group) {
        QVERIFY2(maxDiff(a.latents[group], b.latents[group]) > 1e-6, "latents of every group see group 2");
        QVERIFY2(maxDiff(a.x[group], b.x[group]) > 1e-6, "data of every group sees group 2 after the write-back");
    }
}

// FIT-AR: perturbing the last token of group 5 may change only what comes after it: later
// groups' data (through shifted latents) and latents of groups >= 5.
void TestFitModel::autoregressiveFlow()
{
    c10::InferenceMode guard;
    const Grouping grouping(8, 8, 2); // 16 groups of 4
    FitConfig config = smallConfig(2, "L(1)G(1)L(1)G(1)L(1)");
    config.autoregressive = true;
    FitModel fit(config, grouping);
    fit->initialiseRandom(4);
    torch::manual_seed(3);
    torch::Tensor x = torch::randn({16, 4, 32});
    torch::Tensor perturbed = x.clone();
    perturbed[5][3] += torch::randn({32});
    FitOutput a = fit->forward(x.clone()), b = fit->forward(perturbed);
    for (int group = 0; group < 16; ++group) {
        const double dl = maxDiff(a.latents[group], b.latents[group]);
        QVERIFY2(group < 5 ? dl == 0.0 : dl > 1e-6, qPrintable(QString("latents of group %1: %2").arg(group).arg(dl)));
        const double dx = maxDiff(a.x[group], b.x[group]);
        if (group < 5)
            QCOMPARE(dx, 0.0);
        else if (group == 5)
            QCOMPARE(maxDiff(a.x[5].narrow(0, 0, 3), b.x[5].narrow(0, 0, 3)), 0.0); // earlier tokens of group 5
        else
            QVERIFY2(dx > 1e-6, qPrintable(QString("data of group %1 sees group 5").arg(group)));
    }
    // Without the AR masks the same change reaches group 0.
    config.autoregressive = false;
    FitModel plain(config, grouping);
    plain->initialiseRandom(4);
    QVERIFY(maxDiff(plain->forward(x.clone()).x[0], plain->forward(perturbed.clone()).x[0]) > 1e-6);
}

void TestFitModel::recordedWeightsAreDistributions()
{
    FitRequest request;
    request.config = smallConfig(3, "L(1)G(2)L(1)");
    request.size = 28; // 7 x 7 patches of 4 px, padded to 9 x 9: 9 groups
    request.record.enabled = true;
    FitResult result = runFit(request);
    QCOMPARE(result.groups(), 9);
    QCOMPARE(result.recorded.size(), std::size_t(1)); // only block 0 has global layers
    const FitBlockWeights& w = result.recorded[0];
    QCOMPARE(w.global.size(), std::size_t(2));
    const int m = 3, n = 9, t = 9;
    // Each latent's read weights sum to 1 over its group's patches, and padding gets none.
    for (int group = 0; group < t; ++group)
        for (int h = 0; h < w.heads; ++h)
            for (int s = 0; s < m; ++s) {
                double sum = 0;
                for (int k = 0; k < n; ++k) {
                    const float v = w.read[((std::size_t(group) * w.heads + h) * m + s) * n + k];
                    if (result.grouping.patchOfSlot(group * n + k) < 0)
                        QCOMPARE(v, 0.0f);
                    sum += v;
                }
                QVERIFY(std::abs(sum - 1.0) < 1e-5);
            }
    for (int group = 0; group < t; ++group) {
        double sum = 0;
        for (int j = 0; j < t; ++j)
            sum += w.global[1][std::size_t(group) * t + j];
        QVERIFY(std::abs(sum - 1.0) < 1e-5);
    }
    // The overlay helpers: the corner group's window is clipped to 1 x 1 patches.
    QCOMPARE(fitReadHeatmap(result, 0, 8).size(), std::size_t(1));
    QCOMPARE(fitReadHeatmap(result, 0, 0, 2).size(), std::size_t(9));
    QCOMPARE(fitGlobalHeatmap(result, 0, 4).size(), std::size_t(9));
    QVERIFY(fitGlobalHeatmap(result, 1, 4).empty());

    // Recording one group gives the same numbers as recording all.
    FitRequest one = request;
    one.record.group = 4;
    FitResult single = runFit(one);
    QCOMPARE(fitReadHeatmap(single, 0, 4, 1), fitReadHeatmap(result, 0, 4, 1));
    const std::vector<float> a = fitGlobalHeatmap(single, 0, 4), b = fitGlobalHeatmap(result, 0, 4);
    for (std::size_t j = 0; j < a.size(); ++j)
        QVERIFY(std::abs(a[j] - b[j]) < 1e-6);
}

void TestFitModel::checkpointRoundTrip()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("fit.safetensors").toStdString();
    FitRequest request;
    request.config = smallConfig(4, "(2)1(1)");
    request.imageRgb = cv::Mat(40, 40, CV_8UC3); // 10 x 10 patches, padded to 12 x 12
    cv::randu(request.imageRgb, 0, 256);
    request.seed = 21;
    request.saveCheckpointTo = path;
    const FitResult saved = runFit(request);

    SafetensorsFile file = readSafetensors(path);
    QVERIFY(isFitCheckpoint(file));
    QVERIFY(file.entries.count("latents"));
    QVERIFY(file.entries.count("blocks.0.local.1.attn.qkv.weight"));
    QVERIFY(file.entries.count("blocks.0.read.kv.weight"));
    QVERIFY(file.entries.count("blocks.0.write.q.weight")); // block 0 is followed by another block
    QVERIFY(!file.entries.count("blocks.1.read.q.weight"));  // block 1 has no global layers
    QVERIFY(file.entries.count("blocks.1.local.0.mlp.fc2.bias"));

    FitRequest load = request;
    load.saveCheckpointTo.clear();
    load.seed = 99; // would give other weights if the checkpoint were ignored
    load.checkpoint = path;
    const FitResult loaded = runFit(load);
    QCOMPARE(loaded.weights, path);
    QCOMPARE(loaded.latentNorms, saved.latentNorms);

    load.checkpoint.clear();
    QVERIFY(runFit(load).latentNorms != saved.latentNorms);
}

void TestFitModel::checkpointMismatchIsRefused()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("fit.safetensors").toStdString();
    FitRequest request;
    request.config = smallConfig(4, "L(1)G(1)L(1)");
    request.size = 32;
    request.saveCheckpointTo = path;
    runFit(request);
    request.saveCheckpointTo.clear();
    request.checkpoint = path;
    request.size = 48; // another grid: the latent table does not fit
    QVERIFY_THROWS_EXCEPTION(ts::Error, runFit(request));
    request.size = 32;
    request.config.latentsPerGroup = 5;
    try {
        runFit(request);
        QFAIL("a checkpoint with other latents per group was accepted");
    } catch (const ts::Error& e) {
        QVERIFY2(QString(e.what()).contains("latents per group"), e.what());
    }
}

void TestFitModel::vitCheckpointInitialisesLocalLayers()
{
    c10::InferenceMode guard;
    QTemporaryDir dir;
    const std::string path = dir.filePath("vit.safetensors").toStdString();
    ModelSource source;
    source.preset = "vit-ti16";
    source.imageSize = 96; // 6 x 6 patches: pos_embed is resampled to the 3 x 3 window
    source.seed = 8;
    VitModelPtr vit = buildVit(source);
    saveVitCheckpoint(*vit, path);
    FitConfig config;
    config.dataWidth = config.latentWidth = 192;
    config.heads = config.latentHeads = 3;
    config.groupSize = 3;
    config.pattern = "L(2)G(1)L(2)";
    FitModel fit(config, Grouping(6, 6, 3));
    fit->initialiseRandom(1);
    QCOMPARE(initialiseFromVit(*fit, readSafetensors(path)), 4);
    const VisionTransformerImpl& net = *vit->net;
    QVERIFY(torch::equal(fit->block(0)->localLayer(1)->attn->qkv->weight, net.block(1)->attn->qkv->weight));
    QVERIFY(torch::equal(fit->block(1)->localLayer(0)->mlp->fc1->weight, net.block(2)->mlp->fc1->weight));
    QVERIFY(torch::equal(fit->block(1)->localLayer(1)->norm2->bias, net.block(3)->norm2->bias));
    QVERIFY(torch::equal(fit->patch_embed->proj->weight, net.patch_embed->proj->weight));
    QCOMPARE(fit->pos_embed.sizes(), (std::vector<std::int64_t>{1, 9, 192}));
    QVERIFY(torch::equal(fit->pos_embed, resamplePositionEmbedding(net.pos_embed, 3).narrow(1, 1, 9)));

    config.pattern = "L(8)G(1)L(8)"; // 16 local layers, the ViT has 12 blocks
    FitModel tooDeep(config, Grouping(6, 6, 3));
    QVERIFY_THROWS_EXCEPTION(ts::Error, initialiseFromVit(*tooDeep, readSafetensors(path)));
}

QTEST_GUILESS_MAIN(TestFitModel)
#include "tst_fit_model.moc"
