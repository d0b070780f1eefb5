#include "core/io/decoder_report.h"

#include "core/io/stderr_capture.h"
#include "core/util/printable.h"

#include <opencv2/imgcodecs.hpp>

#include <cctype>
#include <new>

namespace ts {

DecoderReport readDecoderReport(const std::string& text)
{
    DecoderReport r;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(start, end - start);
        start = end + 1;
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
            line.pop_back();
        if (line.empty() || line.rfind("[ WARN", 0) == 0 || line.rfind("[ERROR", 0) == 0 || line.rfind("[ INFO", 0) == 0)
            continue;
        const bool pngError = line.rfind("libpng error: ", 0) == 0;
        if (line.rfind("libpng warning: ", 0) == 0)
            line = "libpng: " + line.substr(16);
        else if (pngError)
            line = "libpng: " + line.substr(14);
        auto has = [&line](const char* s) { return line.find(s) != std::string::npos; };
        std::string* slot = &r.warning;
        if (has("Premature end of JPEG file") || has("input buffer is incomplete") || has("Read Error") || has("Not enough image data")
            || has("Read error") || has("unexpected end"))
            slot = &r.truncated;
        else if (has("Corrupt JPEG data") && !has("extraneous bytes before marker"))
            slot = &r.corrupt;
        else if (pngError || has("Error") || has("error"))
            slot = &r.error;
        if (slot->empty())
            *slot = printableText(line, 160);
    }
    return r;
}

cv::Mat decodeReportingProblems(const std::string& bytes, int flags, DecoderReport& report, std::string& exception)
{
    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    cv::Mat decoded;
    StderrCapture capture;
    try {
        decoded = cv::imdecode(raw, flags);
    } catch (const cv::Exception& e) {
        exception = e.err;
    } catch (const std::bad_alloc&) {
        exception = "out of memory";
    }
    report = readDecoderReport(capture.finish());
    return decoded;
}

} // namespace ts
