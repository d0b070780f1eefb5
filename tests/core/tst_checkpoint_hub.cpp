// Checkpoints laid out as the hubs publish them: transformers' ViT, DeiT and DINOv2 key layouts
// with their config.json and preprocessor_config.json, timm's config.json, each loaded model
// against a forward pass written in the test from transformers' architecture
// (tests/core/reference_vit.h); the preprocessing and class names the side files imply; refusals.
#include "core/fam/fam_api.h"
#include "core/fit/fit_api.h"
#include "core/io/side_files.h"
#include "core/tome/tome_api.h"
#include "core/util/error.h"
#include "core/vit/vit_handle.h"
#include "tests/core/reference_vit.h"

#include <QTemporaryDir>
#include <QtTest>

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>

#include <sstream>

using namespace ts;
using test::HfModel;
using test::RefArch;

namespace {

bool close(const torch::Tensor& a, const torch::Tensor& b)
{
    const double scale = std::max(1.0, b.abs().max().item<double>());
    return a.sizes() == b.sizes() && (a - b).abs().max().item<double>() <= 2e-4 * scale;
}

std::string config(const std::string& modelType, const RefArch& a, double eps, const std::string& extra = "")
{
    std::ostringstream epsText;
    epsText.precision(17);
    epsText << eps;
    return "{\"model_type\": \"" + modelType + "\", \"hidden_size\": " + std::to_string(a.width)
         + ", \"num_hidden_layers\": " + std::to_string(a.depth) + ", \"num_attention_heads\": " + std::to_string(a.heads)
         + ", \"intermediate_size\": " + std::to_string(a.mlp) + ", \"patch_size\": " + std::to_string(a.patch)
         + ", \"image_size\": " + std::to_string(a.rows * a.patch) + ", \"layer_norm_eps\": " + epsText.str()
         + ", \"hidden_act\": \"gelu\"" + extra + "}";
}

VitModelPtr load(const std::string& path, int size)
{
    ModelSource source;
    source.checkpoint = path;
    source.imageSize = size;
    return buildVit(source);
}

} // namespace

class TestCheckpointHub : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesTransformersForward_data();
    void matchesTransformersForward();
    void classNamesFromId2label();
    void timmPreprocessingFollowsConfig();
    void famPreprocessingFollowsConfig();
    void fitNormalisationFollowsConfig();
    void transformersPreprocessingFollowsProcessor();
    void refused_data();
    void refused();

private:
    std::string path(const QString& name) const { return m_dir.filePath(name).toStdString(); }
    QTemporaryDir m_dir;
};

void TestCheckpointHub::matchesTransformersForward_data()
{
    QTest::addColumn<int>("model");
    QTest::addColumn<QString>("modelType");
    QTest::addColumn<double>("eps");
    QTest::addColumn<int>("prefix");
    QTest::newRow("ViTForImageClassification") << int(HfModel::Vit) << "vit" << 1e-12 << 1;
    QTest::newRow("DeiTForImageClassification") << int(HfModel::Deit) << "deit" << 1e-12 << 2;
    QTest::newRow("DeiTForImageClassificationWithTeacher") << int(HfModel::DeitWithTeacher) << "deit" << 1e-12 << 2;
    QTest::newRow("Dinov2Model") << int(HfModel::Dinov2) << "dinov2" << 1e-6 << 1;
    QTest::newRow("Dinov2ForImageClassification") << int(HfModel::Dinov2Classifier) << "dinov2" << 1e-6 << 1;
    QTest::newRow("Dinov2WithRegistersModel") << int(HfModel::Dinov2Registers) << "dinov2_with_registers" << 1e-6 << 5;
}

void TestCheckpointHub::matchesTransformersForward()
{
    QFETCH(int, model);
    QFETCH(QString, modelType);
    QFETCH(double, eps);
    QFETCH(int, prefix);
    const auto m = static_cast<HfModel>(model);
    RefArch a;
    a.patch = m == HfModel::Vit || m == HfModel::Deit || m == HfModel::DeitWithTeacher ? 16 : 14;
    a.registers = m == HfModel::Dinov2Registers ? 4 : 0;
    const test::Tensors w = test::hfWeights(m, a, 40 + static_cast<std::uint64_t>(model));
    const std::string dir = path("hf" + QString::number(model));
    test::writeTensors(dir + "/model.safetensors", w);
    test::writeText(dir + "/config.json",
                    config(modelType.toStdString(), a, eps, a.registers ? ", \"num_register_tokens\": 4" : ""));
    const int size = a.rows * a.patch;
    VitModelPtr loaded = load(dir, size);
    const VitConfig& c = vitConfigOf(*loaded);
    QCOMPARE(QString::fromStdString(c.format), QString("transformers"));
    QCOMPARE(QString::fromStdString(c.family), modelType);
    QCOMPARE(c.prefixTokens(), prefix);
    QCOMPARE(c.heads, a.heads);
    QCOMPARE(c.normEps, eps);

    c10::InferenceMode guard;
    const torch::Tensor image = torch::randn({1, 3, size, size}, at::detail::createCPUGenerator(3));
    const torch::Tensor want = test::hfForward(m, w, a, image, eps);
    const torch::Tensor got = loaded->net->forward(image);
    QVERIFY2(close(got, want), qPrintable(QString("max difference %1").arg((got - want).abs().max().item<double>())));
}

void TestCheckpointHub::classNamesFromId2label()
{
    RefArch a;
    a.classes = 3;
    const std::string dir = path("labels");
    test::writeTensors(dir + "/model.safetensors", test::hfWeights(HfModel::Vit, a, 1));
    test::writeText(dir + "/config.json",
                    config("vit", a, 1e-12, R"(, "id2label": {"0": "cat", "1": "dog", "2": "fish"})"));
    VitModelPtr model = load(dir + "/model.safetensors", 32);
    const ModelDescription& d = vitDescriptionOf(*model);
    QCOMPARE(d.classNames, (std::vector<std::string>{"cat", "dog", "fish"}));
    ToMeRequest request;
    request.model = model;
    request.imageRgb = cv::Mat(32, 32, CV_8UC3, cv::Scalar(10, 200, 30));
    request.schedule = ToMeSchedule::constant(1);
    request.measurePlain = false;
    const ToMeResult result = runToMe(request);
    QCOMPARE(result.top5.size(), std::size_t(3));
    for (const ClassScore& s : result.top5)
        QCOMPARE(s.name, d.classNames[static_cast<std::size_t>(s.index)]);
}

void TestCheckpointHub::timmPreprocessingFollowsConfig()
{
    const SideFiles side = parseSideFiles(
        R"({"architecture": "vit_base_patch16_224", "num_classes": 5, "pretrained_cfg":
            {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.5, 0.5], "input_size": [3, 32, 32], "crop_pct": 0.8,
             "interpolation": "bilinear"}})",
        "config.json", "", "");
    RefArch a;
    const std::string dir = path("timmcfg");
    test::writeTensors(dir + "/model.safetensors", test::timmWeights(a, 2), {{"num_heads", "2"}});
    test::writeText(dir + "/config.json",
                    R"({"architecture": "vit_base_patch16_224", "num_classes": 5, "pretrained_cfg":
                        {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.5, 0.5], "crop_pct": 0.8, "interpolation": "bilinear"}})");
    VitModelPtr model = load(dir, 32);
    const Preprocessing& p = vitDescriptionOf(*model).preprocessing;
    QVERIFY(p.fromSideFiles);
    QCOMPARE(p.cropFraction, 0.8);
    QVERIFY(p.filter == ResizeFilter::Bilinear);
    QCOMPARE(p.normalisation.std[0], 0.25f);
    QCOMPARE(side.inputHeight, 32);
    // timm: shorter side to floor(32 / 0.8) = 40, centre crop 32: a 80 x 60 image is scaled by 2/3
    // to 53 x 40 and cropped at x = round(21 / 2) = 10 (Python's round: half to even), y = 4.
    const SquareCrop crop = preprocessImage(cv::Mat(60, 80, CV_8UC3, cv::Scalar(1, 2, 3)), 32, p);
    QCOMPARE(crop.rgb.cols, 32);
    QVERIFY(std::abs(crop.sourceRect.y - 4 * 60.0 / 40) < 1e-9);
    QVERIFY(std::abs(crop.sourceRect.height - 32 * 60.0 / 40) < 1e-9);
    QVERIFY(std::abs(crop.sourceRect.x - 10 * 80.0 / 53) < 1e-9);
    // The side file's mean and std reach the model's input: a flat image of value v gives (v - mean) / std.
    ToMeRequest request;
    request.model = model;
    request.imageRgb = cv::Mat(32, 32, CV_8UC3, cv::Scalar(255, 255, 255));
    request.schedule = ToMeSchedule::constant(0);
    request.measurePlain = false;
    const ToMeResult withSide = runToMe(request);
    request.normalisationGiven = true; // --mean/--std given: ImageNet's here
    const ToMeResult given = runToMe(request);
    QVERIFY(withSide.output != given.output);
}

// The FAM lab runs the checkpoint's ViT blocks over its patches: its input is cropped and
// normalised as the side files say, as ToMe's is, unless a normalisation is given.
void TestCheckpointHub::famPreprocessingFollowsConfig()
{
    RefArch a;
    const std::string dir = path("famcfg");
    test::writeTensors(dir + "/model.safetensors", test::timmWeights(a, 2), {{"num_heads", "2"}});
    test::writeText(dir + "/config.json",
                    R"({"architecture": "vit_base_patch16_224", "num_classes": 5, "pretrained_cfg":
                        {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.5, 0.5], "crop_pct": 0.8, "interpolation": "bilinear"}})");
    VitModelPtr model = load(dir, 32);
    const Preprocessing& p = vitDescriptionOf(*model).preprocessing;
    cv::Mat image(60, 80, CV_8UC3);
    cv::randu(image, 0, 256);
    FamRequest request;
    request.model = model;
    request.imageRgb = image;
    request.block = 2;
    request.memory = 1;
    request.fam = 1;
    const FamResult withSide = runFam(request);
    const cv::Mat expected = preprocessImage(image, 32, p).rgb;
    QCOMPARE(withSide.crop.size(), expected.size());
    QCOMPARE(cv::norm(withSide.crop, expected, cv::NORM_INF), 0.0); // crop_pct 0.8, bilinear
    request.normalisationGiven = true; // ImageNet's, given
    const FamResult imagenet = runFam(request);
    request.normalisation = p.normalisation; // the side file's, given
    const FamResult same = runFam(request);
    QVERIFY(withSide.outputMeanAbs != imagenet.outputMeanAbs);
    QCOMPARE(withSide.outputMeanAbs, same.outputMeanAbs);
}

void TestCheckpointHub::fitNormalisationFollowsConfig()
{
    // A ViT checkpoint initialising FIT's local layers: its pretrained_cfg's mean and std
    // normalise the image (FIT keeps its own size and grid), unless a normalisation is given.
    RefArch a;
    a.heads = 2;
    const std::string dir = path("fitcfg");
    test::writeTensors(dir + "/model.safetensors", test::timmWeights(a, 4), {{"num_heads", "2"}});
    test::writeText(dir + "/config.json",
                    R"({"architecture": "vit_base_patch16_224", "num_classes": 5, "pretrained_cfg":
                        {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.5, 0.5]}})");
    cv::Mat image(64, 64, CV_8UC3);
    cv::randu(image, 0, 256);
    FitRequest request;
    request.imageRgb = image;
    request.checkpoint = dir + "/model.safetensors";
    request.config.groupSize = 2;
    request.config.latentsPerGroup = 1;
    request.config.pattern = "L1G1";
    const FitResult withSide = runFit(request);
    QCOMPARE(withSide.normalisation.mean[0], 0.5f);
    QCOMPARE(withSide.normalisation.std[0], 0.25f);
    QVERIFY(QString::fromStdString(withSide.normalisationOrigin).contains("config.json"));
    request.normalisationGiven = true; // ImageNet's, given
    const FitResult imagenet = runFit(request);
    QCOMPARE(imagenet.normalisation.mean[0], Normalisation().mean[0]);
    request.normalisation = withSide.normalisation; // the side file's, given
    const FitResult same = runFit(request);
    QVERIFY(withSide.latentNorms != imagenet.latentNorms);
    QCOMPARE(withSide.latentNorms, same.latentNorms);
}

void TestCheckpointHub::transformersPreprocessingFollowsProcessor()
{
    const SideFiles dino = parseSideFiles("", "", R"({"do_resize": true, "size": {"shortest_edge": 256}, "do_center_crop": true,
        "crop_size": {"height": 224, "width": 224}, "resample": 3, "image_mean": [0.485, 0.456, 0.406],
        "image_std": [0.229, 0.224, 0.225]})", "preprocessor_config.json");
    RefArch a;
    a.patch = 14;
    const std::string dir = path("dinopre");
    test::writeTensors(dir + "/model.safetensors", test::hfWeights(HfModel::Dinov2, a, 3));
    test::writeText(dir + "/config.json", config("dinov2", a, 1e-6));
    test::writeText(dir + "/preprocessor_config.json", R"({"do_resize": true, "size": {"shortest_edge": 256}, "do_center_crop": true,
        "crop_size": {"height": 224, "width": 224}, "resample": 3, "image_mean": [0.485, 0.456, 0.406],
        "image_std": [0.229, 0.224, 0.225]})");
    const VitModelPtr dinoModel = load(dir, 28);
    const Preprocessing& p = vitDescriptionOf(*dinoModel).preprocessing;
    QCOMPARE(p.cropFraction, 224.0 / 256.0);
    QVERIFY(p.filter == ResizeFilter::Bicubic);
    QVERIFY(!p.exactResize);
    QCOMPARE(dino.resizeShortest, 256);
    // transformers' ViT processor: size {224, 224} straight, no crop, mean 0.5.
    const SideFiles vit = parseSideFiles("", "", R"({"do_resize": true, "size": {"height": 224, "width": 224},
        "resample": 2, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]})", "preprocessor_config.json");
    QCOMPARE(vit.resizeHeight, 224);
    const std::string vitDir = path("vitpre");
    RefArch b;
    test::writeTensors(vitDir + "/model.safetensors", test::hfWeights(HfModel::Vit, b, 4));
    test::writeText(vitDir + "/config.json", config("vit", b, 1e-12));
    test::writeText(vitDir + "/preprocessor_config.json", R"({"do_resize": true, "size": {"height": 224, "width": 224},
        "resample": 2, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]})");
    const VitModelPtr vitModel = load(vitDir, 32);
    const Preprocessing& q = vitDescriptionOf(*vitModel).preprocessing;
    QVERIFY(q.exactResize);
    QCOMPARE(q.cropFraction, 1.0);
    QCOMPARE(q.normalisation.mean[1], 0.5f);
    // Resized straight to the square: the whole image is the crop.
    const SquareCrop crop = preprocessImage(cv::Mat(50, 70, CV_8UC3, cv::Scalar(0, 0, 0)), 32, q);
    QCOMPARE(crop.sourceRect.x, 0.0);
    QCOMPARE(crop.sourceRect.y, 0.0);
    QVERIFY(std::abs(crop.sourceRect.width - 70) < 1e-9 && std::abs(crop.sourceRect.height - 50) < 1e-9);
}

void TestCheckpointHub::refused_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("no config.json") << "noconfig" << "a transformers checkpoint needs its config.json beside it";
    QTest::newRow("config without heads") << "noheads" << "missing 'num_attention_heads'";
    QTest::newRow("config without eps") << "noeps" << "missing 'layer_norm_eps'";
    QTest::newRow("other activation") << "act" << "'hidden_act' is 'gelu_new', expected 'gelu'";
    QTest::newRow("width contradicts") << "width" << "'hidden_size' is 48 but";
    QTest::newRow("LayerScale in a ViT") << "ls" << "'model_type' is 'vit' but";
    QTest::newRow("register count") << "reg" << "'num_register_tokens' is 2 but";
    QTest::newRow("timm config with a processor") << "mixed" << "contradictory side files";
    QTest::newRow("missing key") << "value" << "missing key 'vit.encoder.layer.1.attention.attention.value.weight'";
    QTest::newRow("unknown key") << "extra" << "unexpected key 'vit.encoder.layer.0.extra.weight'";
    QTest::newRow("folder without model") << "empty" << "no model.safetensors";
}

void TestCheckpointHub::refused()
{
    QFETCH(QString, kind);
    QFETCH(QString, messagePart);
    RefArch a;
    HfModel m = kind == "ls" ? HfModel::Dinov2 : kind == "reg" ? HfModel::Dinov2Registers : HfModel::Vit;
    if (m != HfModel::Vit)
        a.patch = 14;
    a.registers = kind == "reg" ? 4 : 0;
    test::Tensors w = kind == "mixed" ? test::timmWeights(a, 5) : test::hfWeights(m, a, 5);
    if (kind == "value")
        w.erase("vit.encoder.layer.1.attention.attention.value.weight");
    if (kind == "extra")
        w["vit.encoder.layer.0.extra.weight"] = torch::zeros({2});
    const std::string dir = path("hfbad_" + kind);
    if (kind != "empty")
        test::writeTensors(dir + "/model.safetensors", w, {{"num_heads", "2"}});
    else
        test::writeText(dir + "/readme.txt", "nothing here");
    std::string cfg = config(kind == "ls" ? "vit" : kind == "reg" ? "dinov2_with_registers" : "vit", a, 1e-12,
                             kind == "reg" ? ", \"num_register_tokens\": 2" : "");
    if (kind == "noheads")
        cfg.replace(cfg.find("\"num_attention_heads\""), std::string("\"num_attention_heads\": 2, ").size(), "");
    if (kind == "noeps")
        cfg.replace(cfg.find("\"layer_norm_eps\""), cfg.find("\"hidden_act\"") - cfg.find("\"layer_norm_eps\""), "");
    if (kind == "act")
        cfg.replace(cfg.find("\"gelu\""), 6, "\"gelu_new\"");
    if (kind == "width")
        cfg.replace(cfg.find("\"hidden_size\": 32"), 17, "\"hidden_size\": 48");
    if (kind == "mixed") {
        cfg = R"({"architecture": "vit_small_patch16_224", "num_classes": 5})";
        test::writeText(dir + "/preprocessor_config.json", R"({"image_mean": [0.5, 0.5, 0.5]})");
    }
    if (kind != "noconfig" && kind != "empty")
        test::writeText(dir + "/config.json", cfg);
    try {
        load(dir, a.rows * a.patch);
        QFAIL("the checkpoint was accepted");
    } catch (const ts::Error& e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.contains(messagePart), qPrintable(message));
        QVERIFY2(message.contains("hfbad_" + kind), qPrintable(message)); // names the file
        QVERIFY(!message.contains('\n'));
    }
}

QTEST_GUILESS_MAIN(TestCheckpointHub)
#include "tst_checkpoint_hub.moc"
