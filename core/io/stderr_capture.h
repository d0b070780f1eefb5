#pragma once
// What an image decoder says, kept off the terminal and handed to the caller. libjpeg, libpng
// and libtiff (inside OpenCV's imdecode) print their warnings and errors on stderr ("Premature
// end of JPEG file", "libpng error: IHDR: CRC error", seven lines for a CMYK TIFF) and OpenCV
// gives the caller no other channel for them. So, for the length of one decode, file descriptor 2
// is pointed at a temporary file; the text is read back afterwards. This is how the loader
// decides truncation and corruption from the decoder's own reports (not from byte patterns) and
// keeps every message one line.
//
// Captures are serialised by a process-wide mutex; text other threads print to stderr during a
// capture is captured too (decoding is short, and the command line decodes on its main thread).
#include <cstdio>
#include <string>

namespace ts {

class StderrCapture {
public:
    StderrCapture();  // starts capturing (if a temporary file can be made; otherwise nothing changes)
    ~StderrCapture(); // restores stderr
    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;
    // Restores stderr and returns everything written to it since construction.
    std::string finish();

private:
    int m_saved = -1;
    std::FILE* m_file = nullptr;
    bool m_locked = false;
};

} // namespace ts
