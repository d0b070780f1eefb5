#include "core/io/image_io.h"

#include "core/io/byte_order.h"
#include "core/io/decoder_report.h"
#include "core/io/exif_orientation.h"
#include "core/io/input_file.h"
#include "core/io/jpeg_check.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"
#include "core/util/printable.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ts {
namespace {

using bytes::be16;
using bytes::be32;
using bytes::le16;
using bytes::le32;
using bytes::le32Signed;

bool isPng(const std::string& b) { return b.size() >= 8 && b.compare(0, 8, "\x89PNG\r\n\x1a\n", 8) == 0; }
bool isJpeg(const std::string& b) { return b.size() >= 3 && b.compare(0, 3, "\xff\xd8\xff", 3) == 0; }

std::string dims(std::int64_t w, std::int64_t h) { return sizeText(w, h); }

// TIFF: ImageWidth (256) and ImageLength (257) of the first directory, the one OpenCV decodes.
// Classic TIFF only; a tag given twice counts with its larger value.
bool peekTiffSize(const std::string& b, int& width, int& height)
{
    if (b.size() < 8 || !(b.compare(0, 4, "II*\0", 4) == 0 || b.compare(0, 4, "MM\0*", 4) == 0))
        return false;
    const bool little = b[0] == 'I';
    auto u16 = [&](std::size_t i) { return little ? le16(b, i) : be16(b, i); };
    auto u32 = [&](std::size_t i) { return little ? le32(b, i) : be32(b, i); };
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
        width = static_cast<int>(std::min<std::int64_t>(std::abs(static_cast<std::int64_t>(le32Signed(b, 18))), INT32_MAX));
        height = static_cast<int>(std::min<std::int64_t>(std::abs(static_cast<std::int64_t>(le32Signed(b, 22))), INT32_MAX));
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
            const std::uint32_t bits = le32(b, 21);
            width = static_cast<int>((bits & 0x3fff) + 1);
            height = static_cast<int>(((bits >> 14) & 0x3fff) + 1);
            return true;
        }
    }
    return peekTiffSize(b, width, height) || peekPnmSize(b, width, height);
}

namespace {

// "67,108,864"
std::string grouped(std::int64_t n)
{
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

std::string pixelLimitText(std::int64_t maxPixels)
{
    char mp[32];
    std::snprintf(mp, sizeof mp, "%.1f", maxPixels / 1e6);
    const auto side = static_cast<std::int64_t>(std::llround(std::sqrt(double(maxPixels))));
    return grouped(maxPixels) + " pixels (" + mp + " megapixels" + (side * side == maxPixels ? ", " + dims(side, side) : "")
           + ")";
}

// Bytes per pixel of what imdecode returns for this file (from the PNG header; JPEG decodes to
// 8-bit BGR; others are bounded by 16-bit BGRA), so the memory a decode needs is known first.
int decodedBytesPerPixel(const std::string& b)
{
    if (isPng(b) && b.size() >= 26) {
        const int depth = static_cast<unsigned char>(b[24]), type = static_cast<unsigned char>(b[25]);
        const int channels = type == 0 ? 1 : type == 2 ? 3 : 4; // palette and grey+alpha may become BGRA
        return channels * (depth == 16 ? 2 : 1);
    }
    if (isJpeg(b))
        return 3;
    return 8;
}

// Peak bytes while loading: the decoded image, an 8-bit copy of a 16-bit one, the RGB result.
std::int64_t loadBytes(std::int64_t pixels, int decodedBpp)
{
    return pixels * (decodedBpp + (decodedBpp > 4 ? decodedBpp / 2 : 0) + 3);
}

// Composites BGRA over white into RGB, in 8-bit integers (no float copies of a large image).
cv::Mat bgraOverWhiteToRgb(const cv::Mat& bgra)
{
    cv::Mat rgb(bgra.rows, bgra.cols, CV_8UC3);
    for (int y = 0; y < bgra.rows; ++y) {
        const auto* src = bgra.ptr<cv::Vec4b>(y);
        auto* dst = rgb.ptr<cv::Vec3b>(y);
        for (int x = 0; x < bgra.cols; ++x) {
            const int a = src[x][3];
            for (int c = 0; c < 3; ++c) // round(v * a / 255 + 255 - a)
                dst[x][2 - c] = static_cast<uchar>((src[x][c] * a + 255 * (255 - a) + 127) / 255);
        }
    }
    return rgb;
}

std::string joined(const std::string& a, const std::string& b) { return a.empty() ? b : b.empty() ? a : a + "; " + b; }

} // namespace

namespace {

Error imageError(const std::string& name, const std::string& what) { return Error("image " + quotedForMessage(name) + ": " + what); }

// The decode's scale (1, or 2, 4, 8 for JPEG with allowDownscale), decided from the header: the
// pixel limit and the memory the whole load needs. Throws with the numbers.
int chooseReduction(const std::string& bytes, int w, int h, const ImageLoadOptions& options, const std::string& name,
                    std::string& notice)
{
    const std::int64_t pixels = static_cast<std::int64_t>(w) * h;
    // JPEG can be decoded directly at 1/2, 1/4 or 1/8 size without the full buffer; other formats
    // decode at full size, so their whole decode must fit in the pixel limit and in memory.
    const int bpp = decodedBytesPerPixel(bytes);
    const std::int64_t available = availableMemoryBytes();
    auto fits = [&](int reduce) {
        const std::int64_t p = pixels / (std::int64_t(reduce) * reduce);
        return p <= options.maxPixels && (available <= 0 || loadBytes(p, bpp) <= available);
    };
    int reduce = 1;
    while (options.allowDownscale && isJpeg(bytes) && reduce < 8 && !fits(reduce))
        reduce *= 2;
    if (pixels / (reduce * reduce) > options.maxPixels)
        throw imageError(name, dims(w, h) + " px is above the limit of " + pixelLimitText(options.maxPixels));
    if (!fits(reduce))
        throw imageError(name, "decoding " + dims(w, h) + " px needs ~"
                                   + byteSizeText(std::uint64_t(loadBytes(pixels / (reduce * reduce), bpp))) + ", "
                                   + byteSizeText(std::uint64_t(available)) + " of memory available");
    if (reduce > 1)
        notice = "downscaled by " + std::to_string(reduce) + " while decoding (" + dims(w, h) + " px is above the limit of "
               + pixelLimitText(options.maxPixels) + " or the memory available)";
    return reduce;
}

// imdecode, with truncation and corruption decided from the decoders' own reports.
cv::Mat decodeChecked(const std::string& bytes, int reduce, const std::string& name, std::string& notice)
{
    // JPEG decodes in colour so OpenCV applies its EXIF orientation, as image viewers do; the
    // others keep alpha and 16-bit depth (IMREAD_UNCHANGED) and carry no orientation OpenCV reads.
    int flags = isJpeg(bytes) ? cv::IMREAD_COLOR : cv::IMREAD_UNCHANGED;
    if (reduce == 2)
        flags = cv::IMREAD_REDUCED_COLOR_2;
    else if (reduce == 4)
        flags = cv::IMREAD_REDUCED_COLOR_4;
    else if (reduce == 8)
        flags = cv::IMREAD_REDUCED_COLOR_8;
    std::string jpegWarning;
    if (isJpeg(bytes)) { // OpenCV's JPEG source says nothing when the data ends early: ask libjpeg
        const JpegVerdict verdict = checkJpeg(bytes);
        if (!verdict.error.empty())
            throw imageError(name, "cannot be decoded (" + printableText(verdict.error, 160) + ")");
        if (!verdict.truncated.empty())
            throw imageError(name, "the file is truncated (" + verdict.truncated + ")");
        if (!verdict.corrupt.empty())
            throw imageError(name, "the image data is corrupt (" + printableText(verdict.corrupt, 160) + ")");
        jpegWarning = verdict.warning;
    }
    DecoderReport report;
    std::string exception;
    cv::Mat decoded = decodeReportingProblems(bytes, flags, report, exception);
    if (report.warning.empty())
        report.warning = jpegWarning;
    if (!report.truncated.empty())
        throw imageError(name, "the file is truncated (" + report.truncated + ")");
    if (!report.corrupt.empty())
        throw imageError(name, "the image data is corrupt (" + report.corrupt + ")");
    if (decoded.empty()) {
        const std::string why = !report.error.empty() ? report.error : !exception.empty() ? printableText(exception, 160) : report.warning;
        throw imageError(name, why.empty() ? "not a readable image (unknown format, corrupt, or too large)" : "cannot be decoded (" + why + ")");
    }
    if (!report.warning.empty() || !report.error.empty())
        notice = joined(notice, "decoder warning: " + joined(report.error, report.warning));
    if (isJpeg(bytes)) {
        const int orientation = jpegExifOrientation(bytes);
        if (orientation > 1)
            notice = joined(notice, std::string("EXIF orientation applied (") + exifOrientationText(orientation) + ")");
    }
    return decoded;
}

// 8-bit RGB from whatever the decoder gave (grey, BGR, BGRA; 8, 16-bit or float).
void toRgb(cv::Mat decoded, LoadedImage& out, const std::string& name)
{
    if (decoded.depth() == CV_16U) {
        cv::Mat eight;
        decoded.convertTo(eight, CV_8U, 1.0 / 257.0);
        decoded = eight; // the 16-bit buffer is released here
        out.notice = joined(out.notice, "16-bit image reduced to 8 bits");
    } else if (decoded.depth() == CV_32F || decoded.depth() == CV_64F) {
        decoded.convertTo(decoded, CV_8U, 255.0);
    } else if (decoded.depth() != CV_8U) {
        decoded.convertTo(decoded, CV_8U);
    }
    switch (decoded.channels()) {
    case 1: cv::cvtColor(decoded, out.rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(decoded, out.rgb, cv::COLOR_BGR2RGB); break;
    case 4: // composited over white so transparent areas look as they do in a viewer
        out.rgb = bgraOverWhiteToRgb(decoded);
        out.notice = joined(out.notice, "transparency composited over white");
        break;
    default:
        throw imageError(name, "unsupported channel count " + std::to_string(decoded.channels()) + " (expected grey, RGB or RGBA)");
    }
}

} // namespace

LoadedImage decodeImage(const std::string& bytes, const std::string& name, const ImageLoadOptions& options)
{
    if (bytes.empty())
        throw imageError(name, "the file is empty");
    if (bytes.size() > static_cast<std::size_t>(INT32_MAX))
        throw imageError(name, "the file is " + byteSizeText(bytes.size()) + ", above the 2 GiB an image decoder reads");
    int w = 0, h = 0;
    // Only formats whose size we can read before decoding: OpenCV's own pixel limit
    // (OPENCV_IO_MAX_IMAGE_PIXELS) is read once when the library loads, so it cannot be set
    // from here, and without it a 30000 x 30000 PPM header made OpenCV allocate 2.7 GB
    // (found with the fuzz harness, tests/fuzz).
    if (!peekImageSize(bytes, w, h))
        throw imageError(name, "not a readable image (expected PNG, JPEG, BMP, WebP, TIFF or PBM/PGM/PPM)");
    if (w <= 0 || h <= 0)
        throw imageError(name, "its header declares an empty image (" + dims(w, h) + ")");
    LoadedImage out;
    const int reduce = chooseReduction(bytes, w, h, options, name, out.notice);
    cv::Mat decoded = decodeChecked(bytes, reduce, name, out.notice);
    // The header we read and the decoder agree for valid files; a crafted one must not slip through.
    if (static_cast<std::int64_t>(decoded.total()) > options.maxPixels)
        throw imageError(name, "decoded to " + dims(decoded.cols, decoded.rows) + " px, above the limit of "
                                   + pixelLimitText(options.maxPixels));
    out.originalWidth = w;
    out.originalHeight = h;
    toRgb(std::move(decoded), out, name);
    return out;
}

LoadedImage loadImage(const std::string& path, const ImageLoadOptions& options)
{
    // Only a regular file (a named pipe or folder is refused before reading); a compressed file
    // far larger than any decodable image is refused before reading it.
    const InputFile in(path, "image " + quotedForMessage(path));
    const std::string bytes = in.readAll(static_cast<std::uint64_t>(std::max<std::int64_t>(options.maxPixels, 1)) * 8);
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
