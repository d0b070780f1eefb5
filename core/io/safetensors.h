#pragma once
// Reading and writing .safetensors files (8-byte little-endian header length, a JSON header
// of {name: {dtype, shape, data_offsets}}, then the raw data). Torch-free header: tensors are
// handed over as float32 buffers; the torch side converts.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ts {

struct SafetensorsEntry {
    std::string dtype;               // "F32", "F16", "BF16", ...
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0, end = 0; // byte offsets into the data section
};

// A parsed and fully validated file: every entry's range lies inside the data section, ranges
// do not overlap, and each range's length matches dtype x shape.
struct SafetensorsFile {
    std::string path;
    std::map<std::string, SafetensorsEntry> entries;
    std::map<std::string, std::string> metadata; // "__metadata__"
    std::string data;                             // the data section

    // The tensor as float32 values (F32, F16 and BF16 are converted); throws ts::Error for other
    // dtypes and for NaN or infinite values (naming the tensor and the element).
    std::vector<float> floats(const std::string& name) const;
};

// safetensors' own bound on the JSON header (MAX_HEADER_SIZE in the reference reader).
constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

// Throws ts::Error naming the file and what is wrong (truncated, corrupt header, bad offsets).
// Reads the 8-byte length, then the header (at most kMaxSafetensorsHeaderBytes), checks every
// offset against the file's size, and only then reads the tensor bytes: a file that is not a
// checkpoint (a 3 GB sparse file, /dev/zero, a named pipe) is refused without being read.
SafetensorsFile readSafetensors(const std::string& path);
// The same checks on the header alone (entries and metadata, no data): cheap, for checking a
// file before hashing or loading it.
SafetensorsFile readSafetensorsHeader(const std::string& path);
SafetensorsFile parseSafetensors(const std::string& bytes, const std::string& name);

struct TensorToWrite {
    std::vector<std::int64_t> shape;
    const float* data = nullptr; // F32, row-major, product(shape) values
};
// "[3, 224, 224]": a shape as checkpoint messages print it.
std::string shapeText(const std::vector<std::int64_t>& shape);

// Writes F32 tensors (keys sorted) atomically: a temporary file renamed into place.
void writeSafetensors(const std::string& path, const std::map<std::string, TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace ts
