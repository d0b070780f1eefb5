#include "core/io/exif_orientation.h"

#include "core/io/byte_order.h"

#include <cstdint>

namespace ts {
namespace {

using bytes::be16;
using bytes::be32;
using bytes::le16;
using bytes::le32;

} // namespace

int jpegExifOrientation(const std::string& b)
{
    if (b.size() < 4 || static_cast<unsigned char>(b[0]) != 0xff || static_cast<unsigned char>(b[1]) != 0xd8)
        return 0;
    std::size_t i = 2;
    while (i + 4 <= b.size() && static_cast<unsigned char>(b[i]) == 0xff) {
        const unsigned marker = static_cast<unsigned char>(b[i + 1]);
        if (marker == 0xda || marker == 0xd9)
            break; // image data starts: no more metadata segments
        const unsigned length = be16(b, i + 2);
        if (marker == 0xe1 && length >= 16 && i + 2 + length <= b.size() && b.compare(i + 4, 6, std::string("Exif\0\0", 6)) == 0) {
            const std::size_t t = i + 10; // TIFF header
            const bool little = b.compare(t, 2, "II") == 0;
            auto u16 = [&](std::size_t at) { return little ? le16(b, at) : be16(b, at); };
            auto u32 = [&](std::size_t at) { return little ? le32(b, at) : be32(b, at); };
            const std::size_t end = i + 2 + length;
            const std::uint64_t ifd = t + std::uint64_t(u32(t + 4));
            if (ifd + 2 > end)
                return 0;
            const unsigned entries = u16(static_cast<std::size_t>(ifd));
            for (unsigned e = 0; e < entries && ifd + 2 + 12ull * (e + 1) <= end; ++e) {
                const auto at = static_cast<std::size_t>(ifd + 2 + 12ull * e);
                if (u16(at) == 0x0112 && u16(at + 2) == 3) {
                    const unsigned v = u16(at + 8);
                    return v >= 1 && v <= 8 ? static_cast<int>(v) : 0;
                }
            }
            return 0;
        }
        i += 2 + length;
    }
    return 0;
}

const char* exifOrientationText(int orientation)
{
    switch (orientation) {
    case 2: return "mirrored";
    case 3: return "rotated 180 degrees";
    case 4: return "flipped vertically";
    case 5: return "mirrored and rotated 90 degrees";
    case 6: return "rotated 90 degrees clockwise";
    case 7: return "mirrored and rotated 90 degrees counter-clockwise";
    case 8: return "rotated 90 degrees counter-clockwise";
    default: return "";
    }
}

} // namespace ts
