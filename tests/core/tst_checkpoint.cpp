// .safetensors checkpoints: round trip, F16/BF16, and every refused case, on files written here.
#include "core/io/safetensors.h"
#include "core/util/error.h"
#include "core/vit/vit_handle.h"
#include "core/vit/vit_runner.h"

#include <QTemporaryDir>
#include <QtTest>

#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>

#include <QDir>
#include <QElapsedTimer>

#include <fstream>
#include <limits>
#include <sys/stat.h>

using namespace ts;

namespace {

VitConfig tinyConfig()
{
    VitConfig c;
    c.name = "custom";
    c.imageSize = 32;
    c.patchSize = 16;
    c.width = 64;
    c.heads = 2;
    c.depth = 2;
    c.mlpHidden = 128;
    c.numClasses = 10;
    return c;
}

std::shared_ptr<VitModel> tinyModel(std::uint64_t seed)
{
    auto m = std::make_shared<VitModel>();
    m->source.seed = seed;
    m->net = VisionTransformer(tinyConfig());
    m->net->initialiseRandom(seed);
    m->net->eval();
    return m;
}

std::string readAll(const QString& path)
{
    std::ifstream in(path.toStdString(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void writeAll(const QString& path, const std::string& bytes)
{
    std::ofstream out(path.toStdString(), std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Writes the model's tensors with `dtype` (F16/BF16/F32), optionally editing the tensor set.
void writeWithDtype(const VitModel& model, const QString& path, torch::ScalarType type, const std::string& dtype,
                    const std::function<void(std::map<std::string, torch::Tensor>&)>& edit = {},
                    const std::string& numHeads = "2")
{
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& item : model.net->named_parameters())
        tensors[item.key()] = item.value().detach().to(type).contiguous();
    if (edit)
        edit(tensors);
    nlohmann::json header = {{"__metadata__", {{"num_heads", numHeads}}}};
    std::string data;
    for (const auto& [name, t] : tensors) {
        const auto bytes = static_cast<std::size_t>(t.numel() * t.element_size());
        header[name] = {{"dtype", dtype}, {"shape", t.sizes().vec()}, {"data_offsets", {data.size(), data.size() + bytes}}};
        data.append(static_cast<const char*>(t.data_ptr()), bytes);
    }
    const std::string text = header.dump();
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[static_cast<std::size_t>(i)] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
    writeAll(path, out + text + data);
}

torch::Tensor logitsOf(const VitModel& model)
{
    c10::InferenceMode guard;
    torch::manual_seed(5);
    return model.net->forward(torch::randn({1, 3, 32, 32}));
}

} // namespace

class TestCheckpoint : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripGivesSameOutputs();
    void halfPrecisionLoads_data();
    void halfPrecisionLoads();
    void refused_data();
    void refused();
    void positionEmbeddingResampled();
    void unwritablePathRefused();

private:
    QTemporaryDir m_dir;
};

void TestCheckpoint::roundTripGivesSameOutputs()
{
    auto model = tinyModel(11);
    const QString path = m_dir.filePath("tiny.safetensors");
    saveVitCheckpoint(*model, path.toStdString());
    ModelSource source;
    source.checkpoint = path.toStdString();
    source.imageSize = 32;
    VitModelPtr loaded = buildVit(source);
    const VitConfig& c = vitConfigOf(*loaded);
    QCOMPARE(c.width, 64);
    QCOMPARE(c.depth, 2);
    QCOMPARE(c.heads, 2);
    QCOMPARE(c.mlpHidden, 128);
    QCOMPARE(c.numClasses, 10);
    QVERIFY(torch::equal(logitsOf(*model), logitsOf(*loaded)));
}

void TestCheckpoint::halfPrecisionLoads_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<double>("tolerance");
    QTest::newRow("F16") << static_cast<int>(torch::kHalf) << "F16" << 1e-3;
    QTest::newRow("BF16") << static_cast<int>(torch::kBFloat16) << "BF16" << 1e-2;
}

void TestCheckpoint::halfPrecisionLoads()
{
    QFETCH(int, type);
    QFETCH(QString, dtype);
    QFETCH(double, tolerance);
    auto model = tinyModel(12);
    const QString path = m_dir.filePath("half_" + dtype + ".safetensors");
    writeWithDtype(*model, path, static_cast<torch::ScalarType>(type), dtype.toStdString());
    ModelSource source;
    source.checkpoint = path.toStdString();
    source.imageSize = 32;
    VitModelPtr loaded = buildVit(source);
    // Every weight equals the original rounded to that precision.
    for (const auto& item : model->net->named_parameters()) {
        const torch::Tensor expected = item.value().detach().to(static_cast<torch::ScalarType>(type)).to(torch::kFloat32);
        const torch::Tensor got = loaded->net->named_parameters()[item.key()];
        QVERIFY2(torch::equal(expected, got), item.key().c_str());
    }
    QVERIFY(torch::allclose(logitsOf(*model), logitsOf(*loaded), tolerance, tolerance));
}

void TestCheckpoint::refused_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("truncated") << "truncated" << "truncated";
    QTest::newRow("corrupt header") << "corrupt" << "corrupt header";
    QTest::newRow("header length past end") << "badlength" << "truncated or corrupt";
    QTest::newRow("missing key") << "missing" << "missing key 'norm.weight'";
    QTest::newRow("extra key") << "extra" << "unexpected key 'blocks.0.attn.extra'";
    QTest::newRow("wrong shape") << "shape" << "'blocks.1.mlp.fc2.weight' has shape [64, 100], expected [64, 128]";
    QTest::newRow("not a ViT") << "notvit" << "missing key 'patch_embed.proj.weight'";
    QTest::newRow("integer dtype") << "int" << "dtype I32";
    QTest::newRow("empty file") << "empty" << "truncated";
    QTest::newRow("no such file") << "absent" << "cannot open";
    // Weights that would turn every output into NaN, named.
    QTest::newRow("NaN weight") << "nan" << "tensor 'blocks.1.attn.qkv.weight' holds NaN (element 7 of";
    QTest::newRow("infinite weight") << "inf" << "tensor 'norm.bias' holds an infinite value (element 0 of 64)";
    QTest::newRow("num_heads \"2abc\"") << "heads" << "metadata num_heads '2abc' is not a whole number";
    QTest::newRow("a key with a newline") << "newline" << "unexpected key 'blocks.0.attn.x\\ny'";
    // Not checkpoints at all: refused from the 8-byte length or the file type, never read whole.
    QTest::newRow("3 GB sparse file") << "sparse" << "corrupt header (not JSON)";
    QTest::newRow("header length over 100 MB") << "hugeheader" << "above the 100 MB that safetensors allows";
    QTest::newRow("named pipe") << "pipe" << "is a named pipe, not a regular file";
    QTest::newRow("folder without model.safetensors") << "folder" << "no model.safetensors in it";
    QTest::newRow("/dev/zero") << "devzero" << "is a device, not a regular file";
}

void TestCheckpoint::refused()
{
    QFETCH(QString, kind);
    QFETCH(QString, messagePart);
    auto model = tinyModel(13);
    const QString good = m_dir.filePath("good.safetensors");
    saveVitCheckpoint(*model, good.toStdString());
    const QString path = m_dir.filePath("bad_" + kind + ".safetensors");
    std::string bytes = readAll(good);
    if (kind == "truncated") {
        writeAll(path, bytes.substr(0, bytes.size() / 2));
    } else if (kind == "corrupt") {
        bytes.replace(10, 6, "#@!%&*");
        writeAll(path, bytes);
    } else if (kind == "badlength") {
        bytes[6] = '\x7f';
        writeAll(path, bytes);
    } else if (kind == "missing") {
        writeWithDtype(*model, path, torch::kFloat32, "F32", [](auto& t) { t.erase("norm.weight"); });
    } else if (kind == "extra") {
        writeWithDtype(*model, path, torch::kFloat32, "F32", [](auto& t) { t["blocks.0.attn.extra"] = torch::zeros({3}); });
    } else if (kind == "shape") {
        writeWithDtype(*model, path, torch::kFloat32, "F32", [](auto& t) { t["blocks.1.mlp.fc2.weight"] = torch::zeros({64, 100}); });
    } else if (kind == "notvit") {
        writeWithDtype(*model, path, torch::kFloat32, "F32", [](auto& t) { t.erase("patch_embed.proj.weight"); });
    } else if (kind == "int") {
        writeWithDtype(*model, path, torch::kInt32, "I32");
    } else if (kind == "empty") {
        writeAll(path, "");
    } else if (kind == "nan" || kind == "inf") {
        writeWithDtype(*model, path, torch::kFloat32, "F32", [&kind](auto& t) {
            if (kind == "nan")
                t["blocks.1.attn.qkv.weight"].view({-1})[7] = std::numeric_limits<float>::quiet_NaN();
            else
                t["norm.bias"].view({-1})[0] = -std::numeric_limits<float>::infinity();
        });
    } else if (kind == "heads") {
        writeWithDtype(*model, path, torch::kFloat32, "F32", {}, "2abc");
    } else if (kind == "newline") {
        writeWithDtype(*model, path, torch::kFloat32, "F32", [](auto& t) { t["blocks.0.attn.x\ny"] = torch::zeros({3}); });
    } else if (kind == "sparse" || kind == "hugeheader") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        if (kind == "hugeheader")
            f.write(QByteArray("\x00\xc2\xeb\x0b\x00\x00\x00\x00", 8)); // 200,000,000
        QVERIFY(f.resize(kind == "sparse" ? 3'000'000'000LL : 300'000'000LL)); // sparse: no disk space, instant
    } else if (kind == "pipe") {
        QCOMPARE(::mkfifo(path.toLocal8Bit().constData(), 0600), 0);
    } else if (kind == "folder") {
        QVERIFY(QDir(m_dir.path()).mkdir(QFileInfo(path).fileName()));
    }
    QString checkpoint = path;
    if (kind == "devzero")
        checkpoint = "/dev/zero";
    ModelSource source;
    source.checkpoint = checkpoint.toStdString();
    source.imageSize = 32;
    QElapsedTimer timer;
    timer.start();
    try {
        buildVit(source);
        QFAIL("the checkpoint was accepted");
    } catch (const ts::Error& e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.contains(messagePart), qPrintable(message));
        QVERIFY2(message.contains(QFileInfo(checkpoint).fileName()), qPrintable(message)); // names the file
        QVERIFY(!message.contains('\n'));
    }
    QVERIFY2(timer.elapsed() < 5000, "a refusal reads the header only"); // reading 3 GB took far longer
}

void TestCheckpoint::positionEmbeddingResampled()
{
    auto model = tinyModel(14);
    const QString path = m_dir.filePath("resample.safetensors");
    saveVitCheckpoint(*model, path.toStdString());
    ModelSource source;
    source.checkpoint = path.toStdString();
    source.imageSize = 64; // 2x2 grid stored, 4x4 wanted
    VitModelPtr loaded = buildVit(source);
    QCOMPARE(vitConfigOf(*loaded).imageSize, 64);
    const torch::Tensor pos = loaded->net->pos_embed;
    QCOMPARE(pos.size(1), 17L);
    QVERIFY(torch::equal(pos.narrow(1, 0, 1), model->net->pos_embed.narrow(1, 0, 1))); // class position kept
    // Bicubic upsampling keeps a constant field constant.
    torch::Tensor constant = torch::full({1, 5, 3}, 0.25f);
    QVERIFY(torch::allclose(resamplePositionEmbedding(constant, 4), torch::full({1, 17, 3}, 0.25f), 1e-5, 1e-6));
}

void TestCheckpoint::unwritablePathRefused()
{
    auto model = tinyModel(15);
    try {
        saveVitCheckpoint(*model, "/nonexistent-folder/x.safetensors");
        QFAIL("saving into a missing folder succeeded");
    } catch (const ts::Error& e) {
        QVERIFY(QString(e.what()).contains("cannot write"));
    }
}

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "tst_checkpoint.moc"
