#pragma once
// Reading fixed-width integers out of a file's bytes in either byte order, for the header
// parsers that look at an image before decoding it (dimensions, EXIF orientation). The caller
// checks the bounds; these read exactly the bytes they name.
#include <cstddef>
#include <cstdint>
#include <string>

namespace ts::bytes {

inline unsigned be16(const std::string& b, std::size_t i)
{
    return (static_cast<unsigned char>(b[i]) << 8) | static_cast<unsigned char>(b[i + 1]);
}
inline unsigned le16(const std::string& b, std::size_t i)
{
    return static_cast<unsigned char>(b[i]) | (static_cast<unsigned char>(b[i + 1]) << 8);
}
inline std::uint32_t be32(const std::string& b, std::size_t i)
{
    return (static_cast<std::uint32_t>(be16(b, i)) << 16) | be16(b, i + 2);
}
inline std::uint32_t le32(const std::string& b, std::size_t i)
{
    return le16(b, i) | (static_cast<std::uint32_t>(le16(b, i + 2)) << 16);
}
// A little-endian two's-complement 32-bit value (BMP's signed sizes).
inline std::int32_t le32Signed(const std::string& b, std::size_t i) { return static_cast<std::int32_t>(le32(b, i)); }

} // namespace ts::bytes
