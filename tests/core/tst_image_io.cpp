// Image loading: every common format, grey/alpha/16-bit, and every refused case.
#include "core/io/image_io.h"
#include "core/util/error.h"
#include "tests/common/test_paths.h"

#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

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
    void trailingDataAccepted_data();
    void trailingDataAccepted();
    void truncationDecidedByTheDecoder();
    void corruptScanRefused();
    void exifOrientationApplied_data();
    void exifOrientationApplied();
    void decodeRefusedBeyondAvailableMemory();
    void notRegularFilesRefused();

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

namespace {

std::string encoded(const char* ext, const cv::Mat& image, std::vector<int> params = {})
{
    std::vector<uchar> out;
    if (!cv::imencode(ext, image, out, params))
        return {};
    return {out.begin(), out.end()};
}

cv::Mat noise(int rows, int cols)
{
    cv::Mat m(rows, cols, CV_8UC3);
    cv::randu(m, 0, 255);
    return m;
}

// A JPEG segment (marker, 2-byte length, payload) inserted right after SOI.
std::string withSegment(const std::string& jpeg, unsigned char marker, const std::string& payload)
{
    const std::size_t n = payload.size() + 2;
    return jpeg.substr(0, 2) + std::string{char(0xff), char(marker), char(n >> 8), char(n & 0xff)} + payload + jpeg.substr(2);
}

// APP1 "Exif" with a big-endian TIFF header and one IFD0 entry: Orientation (0x0112), SHORT.
std::string exifOrientation(int orientation)
{
    std::string tiff = std::string("MM\0\x2a", 4) + std::string("\0\0\0\x08", 4); // IFD0 at offset 8
    tiff += std::string("\0\x01", 2);                                             // one entry
    tiff += std::string("\x01\x12\0\x03\0\0\0\x01", 8) + char(0) + char(orientation) + std::string(2, '\0');
    tiff += std::string(4, '\0'); // no next IFD
    return std::string("Exif\0\0", 6) + tiff;
}

} // namespace

// Phones append motion-photo videos after a JPEG's end marker; editors append data after a
// PNG's IEND. Decoders stop at the end of the image, and so must the verdict.
void TestImageIo::trailingDataAccepted_data()
{
    QTest::addColumn<QString>("ext");
    QTest::addColumn<int>("trailer");
    QTest::newRow("JPEG + 5 KB after EOI") << ".jpg" << 5000;
    QTest::newRow("JPEG + 1 MB after EOI") << ".jpg" << (1 << 20);
    QTest::newRow("PNG + 100 bytes after IEND") << ".png" << 100;
}

void TestImageIo::trailingDataAccepted()
{
    QFETCH(QString, ext);
    QFETCH(int, trailer);
    const std::string image = encoded(ext.toLatin1().constData(), testPattern());
    std::string tail(static_cast<std::size_t>(trailer), '\0');
    for (std::size_t i = 0; i < tail.size(); ++i)
        tail[i] = static_cast<char>((i * 2654435761u) >> 11);
    const LoadedImage plain = decodeImage(image, "plain");
    const LoadedImage withTail = decodeImage(image + tail, "trailer");
    QCOMPARE(cv::norm(plain.rgb, withTail.rgb, cv::NORM_INF), 0.0);
}

// Cut inside the scan, with FF D9 in an early comment segment (byte patterns said "complete"):
// libjpeg reports the premature end, and the file is refused.
void TestImageIo::truncationDecidedByTheDecoder()
{
    const std::string whole = withSegment(encoded(".jpg", noise(200, 200)), 0xfe, std::string("note \xff\xd9 end", 12));
    const std::string cut = whole.substr(0, whole.size() - 3000);
    try {
        decodeImage(cut, "cut.jpg");
        QFAIL("a truncated JPEG was accepted");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("the file is truncated (Premature end of JPEG file)"), e.what());
        QVERIFY(!QString(e.what()).contains('\n'));
    }
}

void TestImageIo::corruptScanRefused()
{
    std::string jpeg = encoded(".jpg", noise(128, 128));
    // Overwrite a stretch in the middle of the entropy-coded data with a byte pattern no encoder
    // writes there (marker bytes and invalid codes).
    for (std::size_t i = jpeg.size() / 2; i < jpeg.size() / 2 + 64; i += 2) {
        jpeg[i] = '\xff';
        jpeg[i + 1] = '\xd3';
    }
    try {
        const LoadedImage img = decodeImage(jpeg, "corrupt.jpg");
        QFAIL(qPrintable("a corrupt JPEG was accepted; notice: " + QString::fromStdString(img.notice)));
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("corrupt") || QString(e.what()).contains("truncated"), e.what());
        QVERIFY(!QString(e.what()).contains('\n'));
    }
}

void TestImageIo::exifOrientationApplied_data()
{
    QTest::addColumn<int>("orientation");
    QTest::addColumn<int>("rotation"); // cv::RotateFlags, -1: none
    QTest::addColumn<QString>("said");
    QTest::newRow("6: rotate 90 clockwise") << 6 << int(cv::ROTATE_90_CLOCKWISE) << "rotated 90 degrees clockwise";
    QTest::newRow("8: rotate 90 counter-clockwise") << 8 << int(cv::ROTATE_90_COUNTERCLOCKWISE) << "rotated 90 degrees counter-clockwise";
    QTest::newRow("3: rotate 180") << 3 << int(cv::ROTATE_180) << "rotated 180 degrees";
    QTest::newRow("1: as stored") << 1 << -1 << "";
}

void TestImageIo::exifOrientationApplied()
{
    QFETCH(int, orientation);
    QFETCH(int, rotation);
    QFETCH(QString, said);
    const std::string plain = encoded(".jpg", testPattern(), {cv::IMWRITE_JPEG_QUALITY, 98});
    const LoadedImage stored = decodeImage(plain, "plain.jpg");
    const LoadedImage shown = decodeImage(withSegment(plain, 0xe1, exifOrientation(orientation)), "phone.jpg");
    cv::Mat expected = stored.rgb;
    if (rotation >= 0)
        cv::rotate(stored.rgb, expected, rotation);
    QCOMPARE(shown.rgb.cols, expected.cols);
    QCOMPARE(shown.rgb.rows, expected.rows);
    QVERIFY(cv::norm(shown.rgb, expected, cv::NORM_INF) <= 1);
    QCOMPARE(QString::fromStdString(shown.notice).contains("EXIF orientation applied (" + said + ")"), !said.isEmpty());
}

// RLIMIT_AS lowered in this process to what it maps now plus 512 MiB: a 16384 x 16384 RGBA PNG
// (1.75 GiB to decode) must be refused from its header, with the numbers, before decoding.
void TestImageIo::decodeRefusedBeyondAvailableMemory()
{
    const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + be32(13) + "IHDR" + be32(16384) + be32(16384)
                          + std::string("\x08\x06\x00\x00\x00", 5) + be32(0) + be32(0) + "IEND" + be32(0);
    std::ifstream statm("/proc/self/statm");
    long long pages = 0;
    QVERIFY(statm >> pages);
    rlimit saved{};
    QCOMPARE(getrlimit(RLIMIT_AS, &saved), 0);
    rlimit limited = saved;
    limited.rlim_cur = rlim_t(pages * sysconf(_SC_PAGESIZE) + (512LL << 20));
    QCOMPARE(setrlimit(RLIMIT_AS, &limited), 0);
    QString message;
    try {
        decodeImage(png, "16k.png");
    } catch (const Error& e) {
        message = e.what();
    }
    QCOMPARE(setrlimit(RLIMIT_AS, &saved), 0);
    QVERIFY2(message.contains("decoding 16384 x 16384 px needs ~1.75 GiB") && message.contains("of memory available"),
             qPrintable(message));
}

void TestImageIo::notRegularFilesRefused()
{
    const QString pipe = m_dir.filePath("pipe.png");
    QCOMPARE(::mkfifo(pipe.toLocal8Bit().constData(), 0600), 0);
    for (const auto& [path, message] : std::vector<std::pair<QString, QString>>{
             {pipe, "is a named pipe, not a regular file"}, {m_dir.path(), "is a folder, not a file"}, {"/dev/zero", "is a device"}}) {
        try {
            loadImage(path.toStdString());
            QFAIL("accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }
}

QTEST_GUILESS_MAIN(TestImageIo)
#include "tst_image_io.moc"
