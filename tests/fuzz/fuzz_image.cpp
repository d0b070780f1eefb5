// libFuzzer target: the image loader (ts::decodeImage) that every view uses for user files.
// Checks its promises (image_io.h) as well as crashes: a result is 8-bit RGB, non-empty, and
// never larger than the pixel limit. The limit is 4 megapixels so that the fuzzer's memory cap
// is not hit by legitimately large images. OpenCV and the codec libraries are Debian's
// (uninstrumented): coverage guidance covers our header checks, sanitizers catch what reaches
// our code or the allocator.
#include "core/io/image_io.h"
#include "core/util/error.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

constexpr std::int64_t kMaxPixels = 4LL * 1000 * 1000;

[[noreturn]] void broken(const char* what)
{
    std::fprintf(stderr, "fuzz_image: broken promise: %s\n", what);
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    cv::setNumThreads(1); // the machine is shared; one decode at a time is what the app does too
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    ts::ImageLoadOptions options;
    options.maxPixels = kMaxPixels;
    // Both modes are reachable from the app (open refuses, FIT's large-image path downscales);
    // the input's length picks one so a single corpus exercises both.
    options.allowDownscale = size % 2 == 1;
    try {
        const ts::LoadedImage image = ts::decodeImage(bytes, "fuzz.img", options);
        if (image.rgb.empty() || image.rgb.type() != CV_8UC3)
            broken("decodeImage returned something other than non-empty 8-bit RGB");
        if (static_cast<std::int64_t>(image.rgb.total()) > kMaxPixels)
            broken("decodeImage returned more pixels than maxPixels");
        if (image.originalWidth <= 0 || image.originalHeight <= 0)
            broken("decodeImage reported a non-positive original size");
    } catch (const ts::Error&) {
    }
    return 0;
}
