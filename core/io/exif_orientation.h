#pragma once
// The EXIF orientation of a JPEG (tag 0x0112 in IFD0 of the APP1 "Exif" segment, EXIF 2.3
// section 4.6.4): how a camera held sideways says which way is up. OpenCV applies it when it
// decodes in colour (IMREAD_COLOR without IMREAD_IGNORE_ORIENTATION); this reads the value so the
// loader can say what was done.
#include <string>

namespace ts {

// 1..8 (1 = as stored), 0 when the file has none or it is unreadable.
int jpegExifOrientation(const std::string& bytes);
// "rotated 90 degrees clockwise", ... ("" for 0 and 1).
const char* exifOrientationText(int orientation);

} // namespace ts
