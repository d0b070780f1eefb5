#include "core/io/image_io.h"

#include "core/io/decoder_report.h"
#include "core/io/exif_orientation.h"
#include "core/io/image_header.h"
#include "core/io/input_file.h"
#include "core/io/jpeg_check.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"
#include "core/util/printable.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace ts {
namespace {

std::string dims(std::int64_t w, std::int64_t h) { return sizeText(w, h); }

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
