// Image loading: every common format, grey/alpha/16-bit, and every refused case.
#include "core/io/image_io.h"
#include "core/util/error.h"
#include "tests/common/test_paths.h"

#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>

using namespace ts;

namespace {

cv::Mat testPattern()
{
    cv::Mat bgr(60, 90, CV_8UC3);
    for (int y = 0; y < bgr.rows; ++y)
        for (int x = 0; x < bgr.cols; ++x)
            bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(x * 2), static_cast<uchar>(y * 3), 200);
    return bgr;
}

std::string bytesOf(const QString& path)
{
    std::ifstream in(path.toStdString(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void writeBytes(const QString& path, const std::string& bytes)
{
    std::ofstream out(path.toStdString(), std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string be32(std::uint32_t v)
{
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

} // namespace

class TestImageIo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void formats_data();
    void formats();
    void greyAndAlpha();
    void sixteenBit();
    void refused_data();
    void refused();
    void enormousRefusedBeforeDecoding();
    void enormousJpegDownscaledWhenAllowed();
    void centreCropTakesTheMiddleSquare();
    void bundledSamplesLoad();

private:
    QTemporaryDir m_dir;
};

void TestImageIo::formats_data()
{
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<int>("tolerance");
    QTest::newRow("png") << "png" << 0;
    QTest::newRow("bmp") << "bmp" << 0;
    QTest::newRow("tiff") << "tiff" << 0;
    QTest::newRow("webp lossless") << "webp" << 0;
    QTest::newRow("jpeg") << "jpg" << 12;
    QTest::newRow("ppm") << "ppm" << 0;
}

void TestImageIo::formats()
{
    QFETCH(QString, suffix);
    QFETCH(int, tolerance);
    const QString path = m_dir.filePath("pattern." + suffix);
    std::vector<int> params;
    if (suffix == "webp")
        params = {cv::IMWRITE_WEBP_QUALITY, 101}; // > 100: lossless
    if (suffix == "jpg")
        params = {cv::IMWRITE_JPEG_QUALITY, 98};
    QVERIFY(cv::imwrite(path.toStdString(), testPattern(), params));
    const LoadedImage img = loadImage(path.toStdString());
    QCOMPARE(img.rgb.type(), CV_8UC3);
    QCOMPARE(img.rgb.cols, 90);
    QCOMPARE(img.rgb.rows, 60);
    cv::Mat expected;
    cv::cvtColor(testPattern(), expected, cv::COLOR_BGR2RGB); // returned as RGB
    double maxDiff = cv::norm(img.rgb, expected, cv::NORM_INF);
    QVERIFY2(maxDiff <= tolerance, qPrintable(QString("max diff %1").arg(maxDiff)));
}

void TestImageIo::greyAndAlpha()
{
    const QString grey = m_dir.filePath("grey.png");
    cv::Mat g(20, 30, CV_8UC1, cv::Scalar(77));
    QVERIFY(cv::imwrite(grey.toStdString(), g));
    LoadedImage a = loadImage(grey.toStdString());
    QCOMPARE(a.rgb.type(), CV_8UC3);
    QCOMPARE(a.rgb.at<cv::Vec3b>(5, 5), cv::Vec3b(77, 77, 77));

    const QString alpha = m_dir.filePath("alpha.png");
    cv::Mat bgra(20, 30, CV_8UC4, cv::Scalar(0, 0, 255, 0)); // fully transparent red
    bgra(cv::Rect(0, 0, 10, 20)).setTo(cv::Scalar(255, 0, 0, 255)); // opaque blue strip
    QVERIFY(cv::imwrite(alpha.toStdString(), bgra));
    LoadedImage b = loadImage(alpha.toStdString());
    QCOMPARE(b.rgb.at<cv::Vec3b>(5, 5), cv::Vec3b(0, 0, 255));     // opaque blue stays blue (RGB)
    QCOMPARE(b.rgb.at<cv::Vec3b>(5, 25), cv::Vec3b(255, 255, 255)); // transparent becomes white
    QVERIFY(QString::fromStdString(b.notice).contains("transparency"));
}

void TestImageIo::sixteenBit()
{
    const QString path = m_dir.filePath("deep.png");
    cv::Mat deep(10, 10, CV_16UC3, cv::Scalar(65535, 0, 32896));
    QVERIFY(cv::imwrite(path.toStdString(), deep));
    LoadedImage img = loadImage(path.toStdString());
    QCOMPARE(img.rgb.at<cv::Vec3b>(0, 0), cv::Vec3b(128, 0, 255));
    QVERIFY(QString::fromStdString(img.notice).contains("16-bit"));
}

void TestImageIo::refused_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("empty file") << "empty" << "empty";
    QTest::newRow("truncated png") << "truncpng" << "truncated";
    QTest::newRow("truncated jpeg") << "truncjpg" << "truncated";
    QTest::newRow("text file") << "text" << "not a readable image";
    QTest::newRow("random bytes") << "random" << "not a readable image";
    QTest::newRow("missing file") << "missing" << "cannot open";
    QTest::newRow("zero-size header") << "zero" << "empty image";
}

void TestImageIo::refused()
{
    QFETCH(QString, kind);
    QFETCH(QString, messagePart);
    const QString path = m_dir.filePath("bad_" + kind);
    if (kind == "empty") {
        writeBytes(path, "");
    } else if (kind == "truncpng" || kind == "truncjpg") {
        const QString whole = m_dir.filePath(kind == "truncpng" ? "whole.png" : "whole.jpg");
        cv::Mat big(200, 200, CV_8UC3);
        cv::randu(big, 0, 255);
        QVERIFY(cv::imwrite(whole.toStdString(), big));
        const std::string bytes = bytesOf(whole);
        writeBytes(path, bytes.substr(0, bytes.size() * 2 / 3));
    } else if (kind == "text") {
        writeBytes(path, "this is not an image, just some words\n");
    } else if (kind == "random") {
        std::string noise(4096, '\0');
        for (std::size_t i = 0; i < noise.size(); ++i)
            noise[i] = static_cast<char>((i * 2654435761u) >> 13);
        writeBytes(path, noise);
    } else if (kind == "zero") {
        writeBytes(path, std::string("\x89PNG\r\n\x1a\n", 8) + be32(13) + "IHDR" + be32(0) + be32(10) + std::string(5, '\0') + be32(0));
    }
    try {
        loadImage(path.toStdString());
        QFAIL("the file was accepted");
    } catch (const Error& e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.contains(messagePart), qPrintable(message));
        QVERIFY2(message.contains(path), qPrintable(message));
    }
}

void TestImageIo::enormousRefusedBeforeDecoding()
{
    // A valid PNG header declaring 100000 x 100000 pixels (30 GB decoded), with no data.
    const QString path = m_dir.filePath("enormous.png");
    writeBytes(path, std::string("\x89PNG\r\n\x1a\n", 8) + be32(13) + "IHDR" + be32(100000) + be32(100000)
                         + std::string("\x08\x02\x00\x00\x00", 5) + be32(0) + be32(0) + "IEND" + be32(0));
    try {
        loadImage(path.toStdString());
        QFAIL("the enormous image was accepted");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("100000 x 100000"), e.what());
        QVERIFY2(QString(e.what()).contains("megapixels"), e.what());
    }
}

void TestImageIo::enormousJpegDownscaledWhenAllowed()
{
    const QString path = m_dir.filePath("wide.jpg");
    QVERIFY(cv::imwrite(path.toStdString(), cv::Mat(400, 800, CV_8UC3, cv::Scalar(10, 20, 30))));
    ImageLoadOptions options;
    options.maxPixels = 100000; // 320000 pixels is above this
    QVERIFY_THROWS_EXCEPTION(Error, loadImage(path.toStdString(), options));
    options.allowDownscale = true;
    LoadedImage img = loadImage(path.toStdString(), options);
    QCOMPARE(img.rgb.cols, 400); // decoded at half size
    QCOMPARE(img.originalWidth, 800);
    QVERIFY(QString::fromStdString(img.notice).contains("downscaled"));
}

void TestImageIo::centreCropTakesTheMiddleSquare()
{
    cv::Mat wide(100, 300, CV_8UC3, cv::Scalar(255, 0, 0));
    wide(cv::Rect(100, 0, 100, 100)).setTo(cv::Scalar(0, 255, 0));
    SquareCrop crop = centreCrop(wide, 50);
    QCOMPARE(crop.rgb.cols, 50);
    QCOMPARE(crop.rgb.at<cv::Vec3b>(25, 25), cv::Vec3b(0, 255, 0));
    QCOMPARE(crop.sourceRect.x, 100.0);
    QCOMPARE(crop.sourceRect.width, 100.0);
    cv::Mat exact(50, 50, CV_8UC3, cv::Scalar(1, 2, 3));
    QCOMPARE(cv::norm(centreCrop(exact, 50).rgb, exact, cv::NORM_INF), 0.0); // used as it is
}

void TestImageIo::bundledSamplesLoad()
{
    for (const char* name : {"astronaut.png", "chelsea.png", "coffee.png"}) {
        LoadedImage img = loadImage(test::sampleImage(name).toStdString());
        QVERIFY(img.rgb.cols >= 300);
    }
}

QTEST_GUILESS_MAIN(TestImageIo)
#include "tst_image_io.moc"
