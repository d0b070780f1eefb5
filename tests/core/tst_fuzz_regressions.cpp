// Every input the fuzzers (tests/fuzz, scripts/fuzz.sh) or their harnesses found to crash, hang
// or break a reader's promise, plus hand-made hostile inputs for each reader: each must end in a
// clean ts::Error or a valid result. Files dropped into tests/data/fuzz/<target>/ become rows
// of storedFindings() without a code change.
#include "core/flops/flop_config.h"
#include "core/io/image_io.h"
#include "core/io/safetensors.h"
#include "core/util/error.h"
#include "core/vit/vit_checkpoint.h"
#include "tests/common/test_paths.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <climits>
#include <cstdint>

using namespace ts;
using nlohmann::json;

namespace {

constexpr std::int64_t kMaxPixels = 4LL * 1000 * 1000; // as in tests/fuzz/fuzz_image.cpp

std::string le64(std::uint64_t v)
{
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
    return out;
}

// A .safetensors file from a header and `dataBytes` zero bytes of data.
QByteArray safetensors(const json& header, std::size_t dataBytes)
{
    const std::string text = header.dump();
    const std::string bytes = le64(text.size()) + text + std::string(dataBytes, '\0');
    return QByteArray(bytes.data(), static_cast<int>(bytes.size()));
}

json f32(std::vector<std::int64_t> shape, std::uint64_t begin, std::uint64_t end)
{
    return {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {begin, end}}};
}

// The smallest header inferVitConfig accepts (width 4, patch 2, class token, 2 x 2 grid, one
// block), with `pos` and `fc1` replaceable; 416 data bytes (patch 0..192, pos 192..272, fc1
// 272..400, class token 400..416).
QByteArray tinyVit(const json& pos, const json& fc1, const std::string& extraKey = {})
{
    json h = {{"__metadata__", {{"num_heads", "1"}}},
              {"patch_embed.proj.weight", f32({4, 3, 2, 2}, 0, 192)},
              {"pos_embed", pos},
              {"blocks.0.mlp.fc1.weight", fc1},
              {"cls_token", f32({1, 1, 4}, 400, 416)}};
    if (!extraKey.empty())
        h[extraKey] = f32({0}, 416, 416);
    return safetensors(h, 416);
}

std::string str(const QByteArray& b) { return std::string(b.constData(), static_cast<std::size_t>(b.size())); }

std::uint64_t elementSize(const std::string& dtype)
{
    if (dtype == "F64" || dtype == "I64" || dtype == "U64")
        return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32")
        return 4;
    return dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16" ? 2 : 1;
}

// What the reader promises for an accepted file (safetensors.h), in exact arithmetic.
void verifyAccepted(const SafetensorsFile& file)
{
    for (const auto& [key, e] : file.entries) {
        unsigned __int128 count = 1;
        for (std::int64_t d : e.shape) {
            QVERIFY2(d >= 0, key.c_str());
            count = std::min<unsigned __int128>(count * static_cast<unsigned __int128>(d), (unsigned __int128)1 << 100);
        }
        QVERIFY2(e.begin <= e.end && e.end <= file.data.size(), key.c_str());
        QVERIFY2(count * elementSize(e.dtype) == e.end - e.begin, key.c_str());
        if (e.dtype == "F32" || e.dtype == "F16" || e.dtype == "BF16")
            QCOMPARE(static_cast<unsigned long long>(file.floats(key).size()), static_cast<unsigned long long>(count));
    }
}

// inferVitConfig repeats the shapes it read, without silent truncation.
void verifyConfig(const SafetensorsFile& file, const VitConfig& c)
{
    QCOMPARE(static_cast<std::int64_t>(c.width), file.entries.at("patch_embed.proj.weight").shape[0]);
    QCOMPARE(static_cast<std::int64_t>(c.numTokens()), file.entries.at("pos_embed").shape[1]);
    QCOMPARE(static_cast<std::int64_t>(c.mlpHidden), file.entries.at("blocks.0.mlp.fc1.weight").shape[0]);
}

// The fuzz target's sequence for one file: parse, check, infer. Returns the first error message.
QString runSafetensors(const std::string& bytes, bool* parsed = nullptr)
{
    if (parsed)
        *parsed = false;
    SafetensorsFile file;
    try {
        file = parseSafetensors(bytes, "hostile.safetensors");
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    if (parsed)
        *parsed = true;
    verifyAccepted(file);
    try {
        verifyConfig(file, inferVitConfig(file));
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QString runImage(const std::string& bytes, LoadedImage* result = nullptr)
{
    ImageLoadOptions options;
    options.maxPixels = kMaxPixels;
    try {
        LoadedImage image = decodeImage(bytes, "hostile.img", options);
        if (result)
            *result = image;
        [&] {
            QCOMPARE(image.rgb.type(), CV_8UC3);
            QVERIFY(static_cast<std::int64_t>(image.rgb.total()) <= kMaxPixels);
        }();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// A model the reader returns: non-negative ToMe schedule, and written + read back unchanged.
void verifySpec(const ArchSpec& spec)
{
    for (int r : spec.schedule.perLayer(spec.depth))
        QVERIFY(r >= 0);
    QVERIFY(archSpecToJson(archSpecFromJson(archSpecToJson(spec), "again")) == archSpecToJson(spec));
}

QString runFlopConfig(const std::string& text)
{
    try {
        for (const ArchSpec& spec : parseFlopConfig(text, "hostile.json"))
            verifySpec(spec);
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

std::string le16s(unsigned v) { return {static_cast<char>(v & 0xff), static_cast<char>(v >> 8)}; }
std::string le32s(std::uint32_t v) { return le16s(v & 0xffff) + le16s(v >> 16); }
std::string be32s(std::uint32_t v)
{
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string bmp(std::int32_t width, std::int32_t height)
{
    return "BM" + le32s(54 + 16) + le32s(0) + le32s(54) + le32s(40) + le32s(static_cast<std::uint32_t>(width))
         + le32s(static_cast<std::uint32_t>(height)) + le16s(1) + le16s(24) + std::string(24, '\0') + std::string(16, '\x40');
}

std::string encoded(const std::string& ext, const cv::Mat& image)
{
    std::vector<uchar> buffer;
    cv::imencode(ext, image, buffer);
    return std::string(buffer.begin(), buffer.end());
}

} // namespace

class TestFuzzRegressions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void storedFindings_data();
    void storedFindings();
    void safetensorsHostile_data();
    void safetensorsHostile();
    void imageHostile_data();
    void imageHostile();
    void flopConfigHostile_data();
    void flopConfigHostile();
    void tomeScheduleStaysInRange();
};

void TestFuzzRegressions::storedFindings_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("path");
    const QDir root(QDir(test::sourceDir()).filePath("tests/data/fuzz"));
    int rows = 0;
    for (const QString& target : {QStringLiteral("safetensors"), QStringLiteral("image"), QStringLiteral("flop_config")}) {
        const QDir dir(root.filePath(target));
        for (const QString& name : dir.entryList(QDir::Files, QDir::Name)) {
            QTest::newRow(qPrintable(target + "/" + name)) << target << dir.filePath(name);
            ++rows;
        }
    }
    QVERIFY2(rows >= 5, "tests/data/fuzz lost its stored findings");
}

void TestFuzzRegressions::storedFindings()
{
    QFETCH(QString, target);
    QFETCH(QString, path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const std::string bytes = str(file.readAll());
    // Any outcome but a crash, a foreign exception or a broken promise passes.
    if (target == "safetensors")
        runSafetensors(bytes);
    else if (target == "image")
        runImage(bytes);
    else
        runFlopConfig(bytes);
}

void TestFuzzRegressions::safetensorsHostile_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("error"); // part of the expected message; empty: accepted whole
    const json ok = f32({1, 5, 4}, 192, 272), fc1 = f32({8, 4}, 272, 400);
    QTest::newRow("valid tiny ViT (control)") << tinyVit(ok, fc1) << QString();
    QTest::newRow("zero MLP width") << tinyVit(ok, f32({0, 4}, 272, 272)) << "MLP width must be positive";
    QTest::newRow("header length 2^64 - 1") << QByteArray::fromStdString(le64(UINT64_MAX) + "{}") << "truncated";
    QTest::newRow("header length one past the end") << QByteArray::fromStdString(le64(3) + "{}") << "truncated";
    QTest::newRow("overlapping offsets")
        << safetensors({{"a", f32({2}, 0, 8)}, {"b", f32({2}, 4, 12)}}, 16) << "overlap";
    QTest::newRow("range past the data") << safetensors({{"a", f32({4}, 0, 16)}}, 8) << "truncated";
    QTest::newRow("end before begin") << safetensors({{"a", f32({0}, 8, 0)}}, 8) << "bytes";
    // 2^62 x 4 bytes wrapped to 0 and matched [0, 0]: accepted with floats() returning nothing.
    QTest::newRow("count x size wraps to 0")
        << safetensors({{"x", f32({4611686018427387904LL}, 0, 0)}}, 0) << "impossible shape";
    QTest::newRow("huge dimension next to a zero")
        << safetensors({{"x", f32({0, 9223372036854775807LL}, 0, 0)}}, 0) << "impossible shape";
    QTest::newRow("negative dimension") << safetensors({{"x", f32({-1}, 0, 0)}}, 0) << "corrupt shape";
    QTest::newRow("negative offset") << safetensors({{"x", {{"dtype", "F32"}, {"shape", std::vector<int>{1}}, {"data_offsets", std::vector<int>{-4, 0}}}}}, 4)
                                     << "corrupt data_offsets";
    QTest::newRow("unknown dtype") << safetensors({{"x", {{"dtype", "F8"}, {"shape", std::vector<int>{1}}, {"data_offsets", std::vector<int>{0, 1}}}}}, 1)
                                   << "unknown dtype";
    QTest::newRow("nested arrays 100000 deep")
        << QByteArray::fromStdString(le64(200000) + std::string(100000, '[') + std::string(100000, ']')) << "not a JSON object";
    std::string nested;
    for (int i = 0; i < 50000; ++i)
        nested += "{\"a\":";
    nested += "1" + std::string(50000, '}');
    QTest::newRow("nested objects 50000 deep") << QByteArray::fromStdString(le64(nested.size()) + nested)
                                               << "corrupt header entry";
    QTest::newRow("not JSON") << QByteArray::fromStdString(le64(5) + "{\"a\":") << "not JSON";
    // inferVitConfig on shapes that hold no data but once overflowed or truncated an int.
    QTest::newRow("pos_embed 2^40 + 1 positions")
        << tinyVit(f32({0, 1099511627777LL, 4}, 272, 272), fc1) << "too large for a ViT";
    QTest::newRow("pos_embed with no positions") << tinyVit(f32({1, 0, 4}, 272, 272), fc1) << "square grid";
    QTest::newRow("fc1 width 2^32 + 8 (was read as 8)") << tinyVit(ok, f32({4294967304LL, 0}, 272, 272))
                                                      << "too large for a ViT";
    QTest::newRow("block index INT_MAX") << tinyVit(ok, fc1, "blocks.2147483647.x") << "outside 0..4095";
    QTest::newRow("negative block index") << tinyVit(ok, fc1, "blocks.-1.x") << "outside 0..4095";
}

void TestFuzzRegressions::safetensorsHostile()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, error);
    const QString message = runSafetensors(str(bytes));
    if (QTest::currentTestFailed())
        return;
    if (error.isEmpty())
        QVERIFY2(message.isEmpty(), qPrintable(message));
    else
        QVERIFY2(message.contains(error), qPrintable("got: " + message));
}

void TestFuzzRegressions::imageHostile_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("error"); // empty: must decode
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    const cv::Mat pattern(12, 20, CV_8UC3, cv::Scalar(30, 60, 90));
    auto row = [](const char* name, const std::string& bytes, const QString& error, int w = 0, int h = 0) {
        QTest::newRow(name) << QByteArray(bytes.data(), static_cast<int>(bytes.size())) << error << w << h;
    };
    // OpenCV's own pixel limit is fixed when the library loads: these allocated gigabytes.
    row("PPM header 30000 x 30000", "P6\n30000 30000\n255\n" + std::string(64, '\x10'), "megapixels");
    row("PGM hides its size behind a comment", "P5\n# 1 1\n20000 20000\n255\n" + std::string(64, '\x10'), "megapixels");
    row("complete 2100 x 2100 PPM over a 4 Mpx limit", "P6\n2100 2100\n255\n" + std::string(2100 * 2100 * 3, '\x10'),
        "megapixels");
    row("PPM with a comment (valid)", "P6\n# made by hand\n2 2\n255\n" + std::string(12, '\x7f'), "", 2, 2);
    std::string tiff = std::string("II*\0", 4) + le32s(8) + le16s(2);
    tiff += le16s(256) + le16s(4) + le32s(1) + le32s(100000) + le16s(257) + le16s(4) + le32s(1) + le32s(100000) + le32s(0);
    row("TIFF declaring 100000 x 100000", tiff, "megapixels");
    row("TIFF without a height", std::string("MM\0*", 4) + be32s(8) + "\0\1" + "\1\0\0\3" + be32s(1) + be32s(0) + be32s(0),
        "not a readable image");
    row("BMP height INT_MIN", bmp(2, INT32_MIN), "megapixels");
    row("BMP negative height (top-down rows, valid)", bmp(2, -2), "", 2, 2);
    row("BMP negative width", bmp(-2, 2), "not a readable image");
    row("BMP width 2^31 - 1", bmp(INT32_MAX, 1), "megapixels");
    std::string os2 = "BM" + le32s(26 + 36) + le32s(0) + le32s(26) + le32s(12) + le16s(4) + le16s(3) + le16s(1) + le16s(24);
    row("OS/2 BMP 4 x 3 (was refused)", os2 + std::string(36, '\x55'), "", 4, 3);
    const std::string png = encoded(".png", pattern);
    std::string longChunk = png;
    longChunk.replace(33, 4, be32s(0x7fffffff)); // the chunk after IHDR claims 2 GB
    row("PNG chunk length 2^31 - 1", longChunk, "the file is truncated (libpng: PNG input buffer is incomplete)");
    row("PNG cut inside a chunk", png.substr(0, 40), "truncated");
    std::string jpeg = encoded(".jpg", pattern);
    const std::size_t sof = jpeg.find("\xff\xc0");
    QVERIFY(sof != std::string::npos);
    std::string zeroHigh = jpeg, huge = jpeg, small = jpeg;
    zeroHigh.replace(sof + 5, 2, std::string("\0\0", 2));
    row("JPEG SOF height 0", zeroHigh, "empty image");
    huge.replace(sof + 5, 4, "\xff\xff\xff\xff");
    row("JPEG SOF 65535 x 65535", huge, "megapixels");
    small.replace(sof + 5, 4, std::string("\0\2\0\2", 4));
    row("JPEG SOF smaller than its data", small, "", 2, 2);
    row("PFM (not a supported format)", "PF\n2 2\n-1.0\n" + std::string(48, '\0'), "not a readable image");
    row("Radiance HDR (not a supported format)", "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 2 +X 2\n" + std::string(16, '\x80'),
        "not a readable image");
}

void TestFuzzRegressions::imageHostile()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, error);
    QFETCH(int, width);
    QFETCH(int, height);
    LoadedImage image;
    const QString message = runImage(str(bytes), &image);
    if (QTest::currentTestFailed())
        return;
    if (error.isEmpty() && width > 0) {
        QVERIFY2(message.isEmpty(), qPrintable(message));
        QCOMPARE(image.rgb.cols, width);
        QCOMPARE(image.rgb.rows, height);
    } else if (!error.isEmpty()) {
        QVERIFY2(message.contains(error), qPrintable("got: " + message));
    } // else: either outcome is fine as long as it is clean (damaged data the decoder may tolerate)
}

void TestFuzzRegressions::flopConfigHostile_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error"); // empty: accepted
    const QString tome = R"({"architecture": "tome", "depth": 4, "width": 32, "heads": 2, %1})";
    QTest::newRow("number beyond double") << tome.arg(R"("r": 1e400)") << "not valid JSON";
    QTest::newRow("whole float beyond long long") << tome.arg(R"("block": 3.9e20)") << "expected a whole number";
    QTest::newRow("integer beyond long long") << tome.arg(R"("window": 18446744073709551615)") << "must be between";
    QTest::newRow("fractional depth") << R"({"architecture": "transformer", "depth": 2.5})" << "whole number";
    QTest::newRow("schedule entry beyond int (was read as 4)") << tome.arg(R"("schedule": [4294967300])") << "schedule";
    QTest::newRow("r 2^30 with inflection") << tome.arg(R"("r": 1073741824, "inflection": 0.5)") << "";
    QTest::newRow("inflection 1e300") << tome.arg(R"("r": 3, "inflection": 1e300)") << "inflection must be between -1 and 1";
    QTest::newRow("nested arrays 100000 deep") << QString(100000, '[') + QString(100000, ']') << "expected a JSON object";
    QTest::newRow("empty models") << R"({"models": []})" << "no models";
    QTest::newRow("pattern count overflow")
        << R"({"architecture": "fit", "width": 64, "heads": 2, "pattern": "L99999999999G1"})" << "pattern";
}

void TestFuzzRegressions::flopConfigHostile()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const QString message = runFlopConfig(text.toStdString());
    if (QTest::currentTestFailed())
        return;
    if (error.isEmpty())
        QVERIFY2(message.isEmpty(), qPrintable(message));
    else
        QVERIFY2(message.contains(error), qPrintable("got: " + message));
}

void TestFuzzRegressions::tomeScheduleStaysInRange()
{
    // parse_r with r = 2^30, inflection 0.5: from r(1 - 0.5) = 2^29 up to 2r - 2^29 = 3 x 2^29
    // (2r no longer overflows an int).
    const std::vector<int> r = ToMeSchedule::withInflection(1 << 30, 0.5).perLayer(4);
    QCOMPARE(r.front(), 1 << 29);
    QCOMPARE(r.back(), 3 << 29);
    QVERIFY(r[1] > r[0] && r[2] > r[1]);
    // Beyond int: clamped, never negative.
    for (int v : ToMeSchedule::withInflection(1 << 30, -1e300).perLayer(3))
        QVERIFY(v >= 0);
    // The authors' ordinary case is unchanged: r = 8, inflection -0.5 over 4 blocks gives 12, 9, 6, 4
    // (int(12 + i x (-8/3)) truncated as in tome/utils.py parse_r).
    QCOMPARE(ToMeSchedule::withInflection(8, -0.5).perLayer(4), (std::vector<int>{12, 9, 6, 4}));
}

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "tst_fuzz_regressions.moc"
