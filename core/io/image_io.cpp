#include "core/io/image_io.h"

#include "core/util/error.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ts {
namespace {

unsigned be16(const std::string& b, std::size_t i)
{
    return (static_cast<unsigned char>(b[i]) << 8) | static_cast<unsigned char>(b[i + 1]);
}
unsigned le16(const std::string& b, std::size_t i)
{
    return static_cast<unsigned char>(b[i]) | (static_cast<unsigned char>(b[i + 1]) << 8);
}
std::uint32_t be32(const std::string& b, std::size_t i) { return (be16(b, i) << 16) | be16(b, i + 2); }
std::int32_t le32(const std::string& b, std::size_t i)
{
    return static_cast<std::int32_t>(le16(b, i) | (static_cast<std::uint32_t>(le16(b, i + 2)) << 16));
}

bool isPng(const std::string& b) { return b.size() >= 8 && b.compare(0, 8, "\x89PNG\r\n\x1a\n", 8) == 0; }
bool isJpeg(const std::string& b) { return b.size() >= 3 && b.compare(0, 3, "\xff\xd8\xff", 3) == 0; }

// A truncated PNG or JPEG is often decoded partially (grey bottom rows) without an error, so
// check the end markers ourselves.
bool looksTruncated(const std::string& b)
{
    if (isPng(b))
        return b.find("IEND", b.size() > 64 ? b.size() - 64 : 0) == std::string::npos;
    if (isJpeg(b)) {
        const std::size_t tail = b.size() > 4096 ? b.size() - 4096 : 0;
        return b.find("\xff\xd9", tail) == std::string::npos;
    }
    return false;
}

std::string dims(std::int64_t w, std::int64_t h) { return std::to_string(w) + " x " + std::to_string(h); }

// TIFF: ImageWidth (256) and ImageLength (257) of the first directory, the one OpenCV decodes.
// Classic TIFF only; a tag given twice counts with its larger value.
bool peekTiffSize(const std::string& b, int& width, int& height)
{
    if (b.size() < 8 || !(b.compare(0, 4, "II*\0", 4) == 0 || b.compare(0, 4, "MM\0*", 4) == 0))
        return false;
    const bool little = b[0] == 'I';
    auto u16 = [&](std::size_t i) { return little ? le16(b, i) : be16(b, i); };
    auto u32 = [&](std::size_t i) { return little ? static_cast<std::uint32_t>(le32(b, i)) : be32(b, i); };
    const std::uint64_t ifd = u32(4);
    if (ifd + 2 > b.size())
        return false;
    const unsigned entries = u16(static_cast<std::size_t>(ifd));
    std::uint64_t w = 0, h = 0;
    for (unsigned e = 0; e < entries; ++e) {
        const std::uint64_t at = ifd + 2 + 12ull * e;
        if (at + 12 > b.size())
            return false;
        const auto i = static_cast<std::size_t>(at);
        const unsigned tag = u16(i), type = u16(i + 2);
        if (tag != 256 && tag != 257)
            continue;
        if (u32(i + 4) != 1 || (type != 3 && type != 4)) // one SHORT or LONG, else refused as unreadable
            return false;
        const std::uint64_t value = type == 3 ? u16(i + 8) : u32(i + 8);
        std::uint64_t& size = tag == 256 ? w : h;
        size = std::max(size, value);
    }
    if (w == 0 || h == 0)
        return false;
    width = static_cast<int>(std::min<std::uint64_t>(w, INT32_MAX));
    height = static_cast<int>(std::min<std::uint64_t>(h, INT32_MAX));
    return true;
}

// PBM/PGM/PPM (P1..P6): width and height read with OpenCV's own grammar (whitespace and
// '#' comments to the end of the line before each number).
bool peekPnmSize(const std::string& b, int& width, int& height)
{
    if (b.size() < 3 || b[0] != 'P' || b[1] < '1' || b[1] > '6')
        return false;
    std::size_t i = 2;
    auto number = [&](int& out) {
        while (i < b.size() && !std::isdigit(static_cast<unsigned char>(b[i]))) {
            if (b[i] == '#') {
                while (i < b.size() && b[i] != '\n' && b[i] != '\r')
                    ++i;
                ++i;
            } else if (std::isspace(static_cast<unsigned char>(b[i]))) {
                ++i;
            } else {
                return false;
            }
        }
        std::int64_t value = 0;
        if (i >= b.size())
            return false;
        while (i < b.size() && std::isdigit(static_cast<unsigned char>(b[i])))
            value = std::min<std::int64_t>(value * 10 + (b[i++] - '0'), INT32_MAX);
        out = static_cast<int>(value);
        return true;
    };
    return number(width) && number(height);
}

} // namespace

bool peekImageSize(const std::string& b, int& width, int& height)
{
    if (isPng(b) && b.size() >= 24 && b.compare(12, 4, "IHDR") == 0) {
        width = static_cast<int>(std::min<std::uint32_t>(be32(b, 16), INT32_MAX));
        height = static_cast<int>(std::min<std::uint32_t>(be32(b, 20), INT32_MAX));
        return true;
    }
    if (isJpeg(b)) {
        std::size_t i = 2;
        while (i + 9 < b.size()) {
            if (static_cast<unsigned char>(b[i]) != 0xff) {
                ++i;
                continue;
            }
            const unsigned marker = static_cast<unsigned char>(b[i + 1]);
            if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0xff) {
                i += marker == 0xff ? 1 : 2;
                continue;
            }
            const unsigned length = be16(b, i + 2);
            // SOF0..SOF15 except DHT (c4), JPG (c8), DAC (cc)
            if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
                height = static_cast<int>(be16(b, i + 5));
                width = static_cast<int>(be16(b, i + 7));
                return true;
            }
            i += 2 + length;
        }
        return false;
    }
    if (b.size() >= 26 && b[0] == 'B' && b[1] == 'M') {
        if (le32(b, 14) == 12) { // OS/2 BITMAPCOREHEADER: 16-bit sizes
            width = static_cast<int>(le16(b, 18));
            height = static_cast<int>(le16(b, 20));
            return true;
        }
        // Negative height means top-down rows; std::abs(INT32_MIN) would overflow.
        width = static_cast<int>(std::min<std::int64_t>(std::abs(static_cast<std::int64_t>(le32(b, 18))), INT32_MAX));
        height = static_cast<int>(std::min<std::int64_t>(std::abs(static_cast<std::int64_t>(le32(b, 22))), INT32_MAX));
        return true;
    }
    if (b.size() >= 10 && (b.compare(0, 6, "GIF87a") == 0 || b.compare(0, 6, "GIF89a") == 0)) {
        width = static_cast<int>(le16(b, 6));
        height = static_cast<int>(le16(b, 8));
        return true;
    }
    if (b.size() >= 30 && b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WEBP") == 0) {
        if (b.compare(12, 4, "VP8X") == 0) {
            width = 1 + static_cast<int>(static_cast<unsigned char>(b[24]) | (static_cast<unsigned char>(b[25]) << 8)
                                         | (static_cast<unsigned char>(b[26]) << 16));
            height = 1 + static_cast<int>(static_cast<unsigned char>(b[27]) | (static_cast<unsigned char>(b[28]) << 8)
                                          | (static_cast<unsigned char>(b[29]) << 16));
            return true;
        }
        if (b.compare(12, 4, "VP8 ") == 0) {
            width = static_cast<int>(le16(b, 26) & 0x3fff);
            height = static_cast<int>(le16(b, 28) & 0x3fff);
            return true;
        }
        if (b.compare(12, 4, "VP8L") == 0 && b.size() >= 25) {
            const std::uint32_t bits = static_cast<std::uint32_t>(le32(b, 21));
            width = static_cast<int>((bits & 0x3fff) + 1);
            height = static_cast<int>(((bits >> 14) & 0x3fff) + 1);
            return true;
        }
    }
    return peekTiffSize(b, width, height) || peekPnmSize(b, width, height);
}

LoadedImage decodeImage(const std::string& bytes, const std::string& name, const ImageLoadOptions& options)
{
    auto fail = [&name](const std::string& what) -> Error { return Error("image '" + name + "': " + what); };
    if (bytes.empty())
        throw fail("the file is empty");

    LoadedImage out;
    int reduce = 1;
    int w = 0, h = 0;
    // Only formats whose size we can read before decoding: OpenCV's own pixel limit
    // (OPENCV_IO_MAX_IMAGE_PIXELS) is read once when the library loads, so it cannot be set
    // from here, and without it a 30000 x 30000 PPM header made OpenCV allocate 2.7 GB
    // (found with the fuzz harness, tests/fuzz).
    if (!peekImageSize(bytes, w, h))
        throw fail("not a readable image (expected PNG, JPEG, BMP, WebP, TIFF or PBM/PGM/PPM)");
    if (w <= 0 || h <= 0)
        throw fail("its header declares an empty image (" + dims(w, h) + ")");
    const std::int64_t pixels = static_cast<std::int64_t>(w) * h;
    if (pixels > options.maxPixels) {
        // JPEG can be decoded directly at 1/2, 1/4 or 1/8 size without the full buffer.
        while (options.allowDownscale && isJpeg(bytes) && reduce < 8 && pixels / (reduce * reduce) > options.maxPixels)
            reduce *= 2;
        if (pixels / (reduce * reduce) > options.maxPixels)
            throw fail(dims(w, h) + " px (" + std::to_string(pixels / 1000000) + " megapixels) is larger than the limit of "
                       + std::to_string(options.maxPixels / 1000000) + " megapixels");
        out.notice = "downscaled by " + std::to_string(reduce) + " while decoding (" + dims(w, h) + " px is above the "
                   + std::to_string(options.maxPixels / 1000000) + "-megapixel limit)";
    }
    if (looksTruncated(bytes))
        throw fail("the file is truncated (its end marker is missing)");

    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    int flags = cv::IMREAD_UNCHANGED;
    if (reduce == 2)
        flags = cv::IMREAD_REDUCED_COLOR_2;
    else if (reduce == 4)
        flags = cv::IMREAD_REDUCED_COLOR_4;
    else if (reduce == 8)
        flags = cv::IMREAD_REDUCED_COLOR_8;
    cv::Mat decoded;
    try {
        decoded = cv::imdecode(raw, flags);
    } catch (const cv::Exception& e) {
        throw fail(std::string("cannot be decoded: ") + e.err);
    }
    if (decoded.empty())
        throw fail("not a readable image (unknown format, corrupt, or too large)");
    // The header we read and the decoder agree for valid files; a crafted one must not slip through.
    if (static_cast<std::int64_t>(decoded.total()) > options.maxPixels)
        throw fail("decoded to " + dims(decoded.cols, decoded.rows) + " px, above the limit of "
                   + std::to_string(options.maxPixels / 1000000) + " megapixels");

    out.originalWidth = w > 0 ? w : decoded.cols;
    out.originalHeight = h > 0 ? h : decoded.rows;
    if (decoded.depth() == CV_16U) {
        decoded.convertTo(decoded, CV_8U, 1.0 / 257.0);
        out.notice += std::string(out.notice.empty() ? "" : "; ") + "16-bit image reduced to 8 bits";
    } else if (decoded.depth() == CV_32F || decoded.depth() == CV_64F) {
        decoded.convertTo(decoded, CV_8U, 255.0);
    } else if (decoded.depth() != CV_8U) {
        decoded.convertTo(decoded, CV_8U);
    }
    switch (decoded.channels()) {
    case 1: cv::cvtColor(decoded, out.rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(decoded, out.rgb, cv::COLOR_BGR2RGB); break;
    case 4: {
        // Composite over white so transparent areas look as they do in a viewer.
        cv::Mat bgra;
        decoded.convertTo(bgra, CV_32F, 1.0 / 255.0);
        std::vector<cv::Mat> ch;
        cv::split(bgra, ch);
        for (int i = 0; i < 3; ++i)
            ch[i] = ch[i].mul(ch[3]) + (1.0 - ch[3]);
        cv::Mat bgr;
        cv::merge(std::vector<cv::Mat>{ch[0], ch[1], ch[2]}, bgr);
        bgr.convertTo(bgr, CV_8U, 255.0);
        cv::cvtColor(bgr, out.rgb, cv::COLOR_BGR2RGB);
        out.notice += std::string(out.notice.empty() ? "" : "; ") + "transparency composited over white";
        break;
    }
    default: throw fail("unsupported channel count " + std::to_string(decoded.channels()));
    }
    return out;
}

LoadedImage loadImage(const std::string& path, const ImageLoadOptions& options)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("image '" + path + "': cannot open the file");
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    in.seekg(0);
    // A compressed file far larger than any decodable image is refused before reading it.
    if (size > options.maxPixels * 8)
        throw Error("image '" + path + "': " + std::to_string(size / (1 << 20)) + " MiB file is too large");
    std::string bytes(static_cast<std::size_t>(std::max<std::streamoff>(size, 0)), '\0');
    in.read(bytes.data(), size);
    if (!in)
        throw Error("image '" + path + "': read error");
    return decodeImage(bytes, path, options);
}

SquareCrop centreCrop(const cv::Mat& rgb, int size)
{
    if (rgb.empty())
        throw Error("image: nothing to crop");
    if (size <= 0)
        throw Error("image: crop size must be positive");
    SquareCrop out;
    if (rgb.cols == size && rgb.rows == size) {
        out.rgb = rgb.clone();
        out.sourceRect = cv::Rect2d(0, 0, size, size);
        return out;
    }
    const double scale = static_cast<double>(size) / std::min(rgb.cols, rgb.rows);
    const int w = std::max(size, static_cast<int>(std::lround(rgb.cols * scale)));
    const int h = std::max(size, static_cast<int>(std::lround(rgb.rows * scale)));
    cv::Mat resized;
    cv::resize(rgb, resized, cv::Size(w, h), 0, 0, scale < 1.0 ? cv::INTER_AREA : cv::INTER_CUBIC);
    const int x = (w - size) / 2, y = (h - size) / 2;
    out.rgb = resized(cv::Rect(x, y, size, size)).clone();
    out.sourceRect = cv::Rect2d(x / scale, y / scale, size / scale, size / scale);
    return out;
}

cv::Mat resizeTo(const cv::Mat& rgb, int width, int height)
{
    if (rgb.empty() || width <= 0 || height <= 0)
        throw Error("image: cannot resize to " + dims(width, height));
    if (rgb.cols == width && rgb.rows == height)
        return rgb.clone();
    cv::Mat out;
    const bool shrinking = width < rgb.cols && height < rgb.rows;
    cv::resize(rgb, out, cv::Size(width, height), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_CUBIC);
    return out;
}

} // namespace ts
