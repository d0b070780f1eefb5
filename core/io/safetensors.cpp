#include "core/io/safetensors.h"

#include "core/io/file_transaction.h"
#include "core/io/input_file.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"
#include "core/util/printable.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cmath>

namespace ts {
namespace {

std::uint64_t dtypeSize(const std::string& dtype)
{
    static const std::map<std::string, std::uint64_t> sizes = {
        {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"I32", 4},
        {"I16", 2}, {"I8", 1},  {"U8", 1},  {"BOOL", 1}, {"U16", 2}, {"U32", 4}, {"U64", 8}};
    auto it = sizes.find(dtype);
    return it == sizes.end() ? 0 : it->second;
}

float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = (h & 0x8000u) << 16;
    std::uint32_t exponent = (h >> 10) & 0x1fu;
    std::uint32_t mantissa = h & 0x3ffu;
    std::uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else { // subnormal: normalise
            exponent = 127 - 15 + 1;
            while (!(mantissa & 0x400u)) {
                mantissa <<= 1;
                --exponent;
            }
            mantissa &= 0x3ffu;
            bits = sign | (exponent << 23) | (mantissa << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

[[noreturn]] void fail(const std::string& name, const std::string& what)
{
    throw Error("checkpoint " + quotedForMessage(name) + ": " + what);
}

} // namespace

namespace {

// The 8-byte little-endian header length at the start of a file.
std::uint64_t headerLength(const char* bytes)
{
    std::uint64_t headerSize = 0;
    for (int i = 7; i >= 0; --i)
        headerSize = (headerSize << 8) | static_cast<unsigned char>(bytes[i]);
    return headerSize;
}

void checkHeaderLength(std::uint64_t headerSize, std::uint64_t afterLength, const std::string& name)
{
    if (headerSize > afterLength)
        fail(name, "truncated or corrupt: header of " + std::to_string(headerSize) + " bytes, file has "
                       + std::to_string(afterLength) + " after the length");
    if (headerSize > kMaxSafetensorsHeaderBytes)
        fail(name, "corrupt header: its length field says " + std::to_string(headerSize) + " bytes, above the "
                       + std::to_string(kMaxSafetensorsHeaderBytes / 1000000) + " MB that safetensors allows");
}

// One tensor's entry ({"dtype", "shape", "data_offsets"}), its byte range checked against its
// shape and dtype and against `dataSize`. `key` is the entry's name as messages print it.
SafetensorsEntry parseEntry(const nlohmann::json& value, const std::string& key, std::uint64_t dataSize,
                            const std::string& name)
{
    if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") || !value.contains("data_offsets")
        || !value["dtype"].is_string() || !value["shape"].is_array() || !value["data_offsets"].is_array()
        || value["data_offsets"].size() != 2)
        fail(name, "corrupt header entry for " + key);
    SafetensorsEntry entry;
    entry.dtype = value["dtype"].get<std::string>();
    std::uint64_t count = 1;
    for (const auto& d : value["shape"]) {
        if (!d.is_number_integer() || d.get<std::int64_t>() < 0)
            fail(name, "corrupt shape for " + key);
        entry.shape.push_back(d.get<std::int64_t>());
        // Bounded so that count x 8 bytes cannot wrap around (a [2^62] F32 tensor once passed
        // as 0 bytes; found with the fuzz harness), and so no single dimension is absurd.
        const auto dim = static_cast<std::uint64_t>(entry.shape.back());
        if (dim > (UINT64_C(1) << 60) || (dim != 0 && count > (UINT64_C(1) << 60) / dim))
            fail(name, "impossible shape for " + key);
        count *= dim;
    }
    const auto& offsets = value["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
        fail(name, "corrupt data_offsets for " + key);
    entry.begin = offsets[0].get<std::uint64_t>();
    entry.end = offsets[1].get<std::uint64_t>();
    const std::uint64_t elementSize = dtypeSize(entry.dtype);
    if (elementSize == 0)
        fail(name, "unknown dtype " + quotedForMessage(entry.dtype) + " for " + key);
    if (entry.end < entry.begin || entry.end - entry.begin != count * elementSize)
        fail(name, key + " has " + std::to_string(entry.end - entry.begin) + " bytes, its shape and dtype need "
                       + std::to_string(count * elementSize));
    if (entry.end > dataSize)
        fail(name, "truncated: " + key + " ends at byte " + std::to_string(entry.end) + ", data section has "
                       + std::to_string(dataSize));
    return entry;
}

// Overlapping ranges mean a corrupt or hostile file.
void checkNoOverlap(const SafetensorsFile& file, const std::string& name)
{
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    for (const auto& [key, e] : file.entries)
        if (e.end > e.begin)
            ranges.emplace_back(e.begin, e.end);
    std::sort(ranges.begin(), ranges.end());
    for (std::size_t i = 1; i < ranges.size(); ++i)
        if (ranges[i].first < ranges[i - 1].second)
            fail(name, "corrupt header: tensor data ranges overlap");
}

// Entries and metadata from the JSON header; every range checked against `dataSize`.
SafetensorsFile parseHeader(const char* text, std::size_t length, std::uint64_t dataSize, const std::string& name)
{
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text, text + length);
    } catch (const std::exception& e) {
        fail(name, std::string("corrupt header (not JSON): ") + e.what());
    }
    if (!header.is_object())
        fail(name, "corrupt header: not a JSON object");

    SafetensorsFile file;
    file.path = name;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string key = quotedForMessage(it.key()); // as messages print it: one line, bounded
        const auto& value = it.value();
        if (it.key() == "__metadata__") {
            if (!value.is_object())
                fail(name, "corrupt header: __metadata__ is not an object");
            for (auto m = value.begin(); m != value.end(); ++m)
                if (m.value().is_string())
                    file.metadata[m.key()] = m.value().get<std::string>();
            continue;
        }
        file.entries[it.key()] = parseEntry(value, key, dataSize, name);
    }
    checkNoOverlap(file, name);
    return file;
}

std::uint64_t dataEnd(const SafetensorsFile& file)
{
    std::uint64_t end = 0;
    for (const auto& [key, e] : file.entries)
        end = std::max(end, e.end);
    return end;
}

} // namespace

SafetensorsFile parseSafetensors(const std::string& bytes, const std::string& name)
{
    if (bytes.size() < 8)
        fail(name, "truncated: " + std::to_string(bytes.size()) + " bytes, not even the 8-byte header length");
    const std::uint64_t headerSize = headerLength(bytes.data());
    checkHeaderLength(headerSize, bytes.size() - 8, name);
    SafetensorsFile file = parseHeader(bytes.data() + 8, static_cast<std::size_t>(headerSize), bytes.size() - 8 - headerSize, name);
    file.data = bytes.substr(8 + headerSize);
    return file;
}

namespace {

// The header of an open file, every offset checked against the file's size; `headerEnd` is
// where the data section starts.
SafetensorsFile readHeaderOf(const InputFile& in, const std::string& name, std::uint64_t* headerEnd)
{
    if (in.size() < 8)
        fail(name, "truncated: " + std::to_string(in.size()) + " bytes, not even the 8-byte header length");
    char length[8];
    in.read(0, length, 8);
    const std::uint64_t headerSize = headerLength(length);
    checkHeaderLength(headerSize, in.size() - 8, name);
    const std::string header = in.read(8, static_cast<std::size_t>(headerSize));
    *headerEnd = 8 + headerSize;
    return parseHeader(header.data(), header.size(), in.size() - 8 - headerSize, name);
}

} // namespace

SafetensorsFile readSafetensorsHeader(const std::string& path)
{
    const InputFile in(path, "checkpoint " + quotedForMessage(path));
    std::uint64_t headerEnd = 0;
    return readHeaderOf(in, path, &headerEnd);
}

SafetensorsFile readSafetensors(const std::string& path)
{
    // As safetensors' own reader: the length, then the bounded header, every offset checked
    // against the file's size; only then the tensor bytes (up to the last tensor's end, not any
    // trailing bytes). Nothing of a corrupt or hostile file is read past its header.
    const InputFile in(path, "checkpoint " + quotedForMessage(path));
    const std::string& name = path;
    std::uint64_t headerEnd = 0;
    SafetensorsFile file = readHeaderOf(in, name, &headerEnd);
    const std::uint64_t needed = dataEnd(file);
    const std::int64_t available = availableMemoryBytes();
    if (available > 0 && needed > static_cast<std::uint64_t>(available))
        fail(name, "its tensors hold " + byteSizeText(needed) + ", more than the " + byteSizeText(std::uint64_t(available))
                       + " of memory available");
    file.data = in.read(headerEnd, static_cast<std::size_t>(needed));
    return file;
}

std::vector<float> SafetensorsFile::floats(const std::string& name) const
{
    auto it = entries.find(name);
    if (it == entries.end())
        throw Error("checkpoint " + quotedForMessage(path) + ": missing key " + quotedForMessage(name));
    const SafetensorsEntry& e = it->second;
    const char* src = data.data() + e.begin;
    const std::uint64_t bytes = e.end - e.begin;
    std::vector<float> out;
    if (e.dtype == "F32") {
        out.resize(bytes / 4);
        if (bytes > 0) // an empty vector's data() may be null, and memcpy forbids null even for 0 bytes
            std::memcpy(out.data(), src, bytes);
    } else if (e.dtype == "F16" || e.dtype == "BF16") {
        out.resize(bytes / 2);
        for (std::size_t i = 0; i < out.size(); ++i) {
            std::uint16_t h;
            std::memcpy(&h, src + 2 * i, 2);
            if (e.dtype == "F16") {
                out[i] = halfToFloat(h);
            } else {
                const std::uint32_t bits = static_cast<std::uint32_t>(h) << 16;
                std::memcpy(&out[i], &bits, 4);
            }
        }
    } else {
        throw Error("checkpoint " + quotedForMessage(path) + ": " + quotedForMessage(name) + " has dtype " + e.dtype
                    + "; expected F32, F16 or BF16"); // a known dtype: parseHeader refused any other
    }
    // A NaN or infinite weight turns every output it touches into NaN (probabilities of null):
    // refused here, naming the tensor, rather than discovered in the results.
    for (std::size_t i = 0; i < out.size(); ++i)
        if (!std::isfinite(out[i]))
            throw Error("checkpoint " + quotedForMessage(path) + ": tensor " + quotedForMessage(name) + " holds "
                        + (std::isnan(out[i]) ? "NaN" : "an infinite value") + " (element " + std::to_string(i) + " of "
                        + std::to_string(out.size()) + ")");
    return out;
}

void writeSafetensors(const std::string& path, const std::map<std::string, TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const auto& [name, t] : tensors) {
        std::uint64_t count = 1;
        for (auto d : t.shape)
            count *= static_cast<std::uint64_t>(d);
        header[name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + 4 * count}}};
        offset += 4 * count;
    }
    std::string headerText = header.dump();
    headerText.append((8 - headerText.size() % 8) % 8, ' '); // keep the data 8-byte aligned
    const std::uint64_t n = headerText.size();
    char len[8];
    for (int i = 0; i < 8; ++i)
        len[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    std::vector<std::string_view> pieces = {std::string_view(len, 8), headerText};
    for (const auto& [name, t] : tensors) {
        std::uint64_t count = 1;
        for (auto d : t.shape)
            count *= static_cast<std::uint64_t>(d);
        pieces.emplace_back(reinterpret_cast<const char*>(t.data), static_cast<std::size_t>(4 * count));
    }
    writeFileAtomically(path, pieces);
}

std::string shapeText(const std::vector<std::int64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

} // namespace ts
