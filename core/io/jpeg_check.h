#pragma once
// A JPEG's own verdict on itself, from libjpeg. OpenCV's JPEG reader feeds libjpeg from memory
// with a source that suspends at the end of the data, so a file cut inside its scan decodes to a
// partly grey image with no message at all. This pass runs libjpeg over the whole stream with
// the standard memory source (which, at the end of the data, inserts an end marker and warns
// JWRN_JPEG_EOF, "Premature end of JPEG file") and records every warning by its code. It decodes
// at 1/8 scale, so it costs the entropy decoding only, a small part of a full decode.
#include <string>

namespace ts {

struct JpegVerdict {
    std::string truncated; // libjpeg's message when the data ended before the image did
    std::string corrupt;   // the first corrupt-data warning (bad Huffman code, missing marker...)
    std::string warning;   // a harmless warning (extraneous bytes before a marker: padding)
    std::string error;     // the error that stopped decoding, if any
};

JpegVerdict checkJpeg(const std::string& bytes);

} // namespace ts
