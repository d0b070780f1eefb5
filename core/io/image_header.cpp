#include "core/io/image_header.h"

#include "core/io/byte_order.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace ts {
namespace {

using namespace bytes; // be16, be32, le16, le32, le32Signed

bool peekPngSize(const std::string& b, int& width, int& height)
{
    if (!(isPng(b) && b.size() >= 24 && b.compare(12, 4, "IHDR") == 0))
        return false;
    width = static_cast<int>(std::min<std::uint32_t>(be32(b, 16), INT32_MAX));
    height = static_cast<int>(std::min<std::uint32_t>(be32(b, 20), INT32_MAX));
    return true;
}

// The first start-of-frame marker's sizes, walking the markers from the start of the file.
bool peekJpegSize(const std::string& b, int& width, int& height)
{
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

bool peekBmpSize(const std::string& b, int& width, int& height)
{
    if (!(b.size() >= 26 && b[0] == 'B' && b[1] == 'M'))
        return false;
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

bool peekGifSize(const std::string& b, int& width, int& height)
{
    if (!(b.size() >= 10 && (b.compare(0, 6, "GIF87a") == 0 || b.compare(0, 6, "GIF89a") == 0)))
        return false;
    width = static_cast<int>(le16(b, 6));
    height = static_cast<int>(le16(b, 8));
    return true;
}

// WebP: the extended (VP8X), lossy (VP8) or lossless (VP8L) header.
bool peekWebpSize(const std::string& b, int& width, int& height)
{
    if (!(b.size() >= 30 && b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WEBP") == 0))
        return false;
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
    return false;
}

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

bool isPng(const std::string& b) { return b.size() >= 8 && b.compare(0, 8, "\x89PNG\r\n\x1a\n", 8) == 0; }
bool isJpeg(const std::string& b) { return b.size() >= 3 && b.compare(0, 3, "\xff\xd8\xff", 3) == 0; }

bool peekImageSize(const std::string& b, int& width, int& height)
{
    if (peekPngSize(b, width, height))
        return true;
    if (isJpeg(b))
        return peekJpegSize(b, width, height);
    return peekBmpSize(b, width, height) || peekGifSize(b, width, height) || peekWebpSize(b, width, height)
        || peekTiffSize(b, width, height) || peekPnmSize(b, width, height);
}

} // namespace ts
