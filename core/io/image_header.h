#pragma once
// An image file's format and size read from its header alone, before anything is decoded, so a
// decode that cannot fit is refused first (core/io/image_io.h). No OpenCV, no torch.
#include <string>

namespace ts {

// The signatures the loader treats specially (a JPEG decodes reduced and oriented; a PNG's
// header tells its decoded depth).
bool isPng(const std::string& bytes);
bool isJpeg(const std::string& bytes);

// Width and height read from the file header without decoding (PNG, JPEG, BMP, GIF, WebP, TIFF,
// PBM/PGM/PPM); decodeImage refuses every format this cannot read;
// returns false when the format is not one of those or the header is unreadable.
bool peekImageSize(const std::string& bytes, int& width, int& height);

} // namespace ts
