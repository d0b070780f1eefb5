#pragma once
// What an image decoder said while decoding (captured from stderr, core/io/stderr_capture.h),
// sorted into what the loader acts on: truncation and corrupt data refuse the image, errors
// explain a failed decode, warnings become a one-line notice. libjpeg prints its first warning
// only ("Premature end of JPEG file", "Corrupt JPEG data: ..."); libpng prefixes "libpng warning:"
// or "libpng error:"; libtiff names its function; OpenCV's own log lines ("[ WARN:...") add
// nothing the decoder did not say and are dropped. "Corrupt JPEG data: N extraneous bytes before
// marker" (padding many cameras write) is a warning, not corruption.
#include <opencv2/core.hpp>

#include <string>

namespace ts {

struct DecoderReport {
    std::string truncated, corrupt, warning, error; // the first line of each kind, one line each
};

DecoderReport readDecoderReport(const std::string& text);

// cv::imdecode(bytes, flags) with the decoders' stderr captured into `report`; an OpenCV
// exception's text goes to `exception` (the result is then empty).
cv::Mat decodeReportingProblems(const std::string& bytes, int flags, DecoderReport& report, std::string& exception);

} // namespace ts
