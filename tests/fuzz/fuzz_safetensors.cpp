// libFuzzer target: the .safetensors reader and the ViT architecture inference that follows it
// when a user opens a checkpoint. Besides crashes and sanitizer reports it checks the reader's
// promises (safetensors.h): every accepted entry's byte range matches dtype x shape exactly and
// lies in the data section, and an inferred config repeats the shapes without truncation.
// Built by scripts/fuzz.sh with clang -fsanitize=fuzzer,address,undefined; no LibTorch.
#include "core/io/safetensors.h"
#include "core/util/error.h"
#include "core/vit/vit_checkpoint.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

[[noreturn]] void broken(const std::string& what)
{
    std::fprintf(stderr, "fuzz_safetensors: broken promise: %s\n", what.c_str());
    std::abort();
}

unsigned elementSize(const std::string& dtype)
{
    if (dtype == "F64" || dtype == "I64" || dtype == "U64")
        return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32")
        return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16")
        return 2;
    return 1;
}

void checkEntries(const ts::SafetensorsFile& file)
{
    for (const auto& [key, e] : file.entries) {
        // Exact arithmetic: an overflowing product must never look like a small, valid one.
        unsigned __int128 count = 1;
        for (std::int64_t d : e.shape) {
            if (d < 0)
                broken("negative dimension accepted for '" + key + "'");
            count *= static_cast<unsigned __int128>(d);
            if (count > (static_cast<unsigned __int128>(1) << 100))
                count = static_cast<unsigned __int128>(1) << 100; // stays larger than any file
        }
        if (e.end < e.begin || e.end > file.data.size())
            broken("range outside the data section accepted for '" + key + "'");
        if (count * elementSize(e.dtype) != e.end - e.begin)
            broken("byte count differs from dtype x shape for '" + key + "'");
        if (e.dtype == "F32" || e.dtype == "F16" || e.dtype == "BF16") {
            if (file.floats(key).size() != static_cast<std::size_t>(count))
                broken("floats() size differs from the shape for '" + key + "'");
        }
    }
}

void checkConfig(const ts::SafetensorsFile& file, const ts::VitConfig& c)
{
    const auto& patch = file.entries.at("patch_embed.proj.weight").shape;
    const auto& pos = file.entries.at("pos_embed").shape;
    const auto& fc1 = file.entries.at("blocks.0.mlp.fc1.weight").shape;
    if (c.width != patch[0] || c.inChannels != patch[1] || c.patchSize != patch[2])
        broken("inferred width/channels/patch differ from patch_embed.proj.weight's shape");
    if (c.numTokens() != pos[1])
        broken("inferred token count differs from pos_embed's shape");
    if (c.mlpHidden != fc1[0])
        broken("inferred MLP width differs from fc1's shape");
    c.validate(); // must not throw: inferVitConfig promises a valid config
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    ts::SafetensorsFile file;
    try {
        file = ts::parseSafetensors(bytes, "fuzz.safetensors");
    } catch (const ts::Error&) {
        return 0; // refused with a message: the expected outcome for most inputs
    }
    checkEntries(file);
    try {
        const ts::VitConfig config = ts::inferVitConfig(file);
        checkConfig(file, config);
    } catch (const ts::Error&) {
    }
    return 0;
}
