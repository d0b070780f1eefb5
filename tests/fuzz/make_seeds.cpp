// Writes the fuzzers' seed corpora: small valid files of every kind each reader accepts, so the
// fuzzers start from deep inside the formats instead of rediscovering them.
//   make_seeds <out-dir> <sample-image>
// creates <out-dir>/safetensors, <out-dir>/image, <out-dir>/flop_config and <out-dir>/session.
// The .safetensors seeds are assembled byte by byte here (not with the reader's own writer) so
// a bug shared by writer and reader cannot hide in the seeds.
#include "core/flops/flop_config.h"
#include "core/flops/flop_presets.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

std::string g_out;

void writeFile(const std::string& sub, const std::string& name, const std::string& bytes)
{
    const std::string path = g_out + "/" + sub + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        std::fprintf(stderr, "make_seeds: cannot write %s\n", path.c_str());
        std::exit(1);
    }
}

// --- .safetensors -------------------------------------------------------------------------

struct RawTensor {
    std::string name, dtype;
    std::vector<std::int64_t> shape;
};

std::int64_t count(const std::vector<std::int64_t>& shape)
{
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

int bytesPer(const std::string& dtype) { return dtype == "F32" ? 4 : dtype == "F64" ? 8 : 2; }

// 8-byte little-endian header length, JSON header, data; values are a simple ramp.
std::string safetensors(const std::vector<RawTensor>& tensors, const nlohmann::json& metadata)
{
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.is_null())
        header["__metadata__"] = metadata;
    std::string data;
    for (const RawTensor& t : tensors) {
        const std::uint64_t begin = data.size();
        for (std::int64_t i = 0; i < count(t.shape); ++i) {
            const float value = 0.01f * static_cast<float>(i % 50) - 0.25f;
            std::uint32_t bits;
            std::memcpy(&bits, &value, 4);
            if (t.dtype == "F32") {
                data.append(reinterpret_cast<const char*>(&bits), 4);
            } else if (t.dtype == "F64") {
                const double d = value;
                data.append(reinterpret_cast<const char*>(&d), 8);
            } else { // BF16: the top half; F16: 1.0 or 0 is enough for a seed
                const std::uint16_t half = t.dtype == "BF16" ? static_cast<std::uint16_t>(bits >> 16)
                                                             : static_cast<std::uint16_t>(i % 2 ? 0x3c00 : 0x0000);
                data.append(reinterpret_cast<const char*>(&half), 2);
            }
        }
        header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {begin, data.size()}}};
    }
    const std::string text = header.dump();
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[static_cast<std::size_t>(i)] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
    return out + text + data;
}

// A timm-named ViT small enough to mutate quickly: width 4, patch 2, a 2 x 2 grid, 2 blocks.
std::vector<RawTensor> tinyVit(const std::string& dtype, bool withHead)
{
    const std::int64_t d = 4, hidden = 8;
    std::vector<RawTensor> t = {{"cls_token", dtype, {1, 1, d}},
                                {"pos_embed", dtype, {1, 5, d}},
                                {"patch_embed.proj.weight", dtype, {d, 3, 2, 2}},
                                {"patch_embed.proj.bias", dtype, {d}},
                                {"norm.weight", dtype, {d}},
                                {"norm.bias", dtype, {d}}};
    for (int b = 0; b < 2; ++b) {
        const std::string p = "blocks." + std::to_string(b) + ".";
        t.push_back({p + "norm1.weight", dtype, {d}});
        t.push_back({p + "attn.qkv.weight", dtype, {3 * d, d}});
        t.push_back({p + "attn.proj.weight", dtype, {d, d}});
        t.push_back({p + "mlp.fc1.weight", dtype, {hidden, d}});
        t.push_back({p + "mlp.fc2.weight", dtype, {d, hidden}});
    }
    if (withHead)
        t.push_back({"head.weight", dtype, {3, d}});
    return t;
}

void safetensorsSeeds()
{
    writeFile("safetensors", "vit_f32.safetensors", safetensors(tinyVit("F32", true), {{"num_heads", "2"}}));
    writeFile("safetensors", "vit_f16.safetensors", safetensors(tinyVit("F16", false), nullptr));
    writeFile("safetensors", "vit_bf16.safetensors", safetensors(tinyVit("BF16", true), {{"format", "pt"}}));
    writeFile("safetensors", "mixed.safetensors",
              safetensors({{"a", "F64", {2, 2}}, {"b", "F32", {0, 3}}, {"c", "F16", {3}}}, {{"note", "x"}}));
    writeFile("safetensors", "empty.safetensors", safetensors({}, nullptr));
}

// --- images ---------------------------------------------------------------------------------

void imageSeeds(const std::string& samplePath)
{
    cv::Mat sample = cv::imread(samplePath, cv::IMREAD_COLOR);
    if (sample.empty()) { // no sample: a gradient is still a valid seed
        sample.create(64, 64, CV_8UC3);
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x)
                sample.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(4 * x), uchar(4 * y), uchar(2 * (x + y)));
    }
    cv::Mat small, wide, gray, rgba, deep;
    cv::resize(sample, small, cv::Size(16, 16), 0, 0, cv::INTER_AREA);
    cv::resize(sample, wide, cv::Size(24, 10), 0, 0, cv::INTER_AREA);
    cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
    cv::cvtColor(small, rgba, cv::COLOR_BGR2BGRA);
    for (int y = 0; y < rgba.rows; ++y)
        rgba.at<cv::Vec4b>(y, 0)[3] = 0; // some transparency for the compositing path
    small.convertTo(deep, CV_16U, 257.0);

    struct Seed {
        const char* name;
        const cv::Mat* image;
        std::vector<int> params;
    };
    const std::vector<Seed> seeds = {
        {"rgb.png", &small, {}},
        {"gray.png", &gray, {}},
        {"rgba.png", &rgba, {}},
        {"deep16.png", &deep, {}},
        {"wide.png", &wide, {cv::IMWRITE_PNG_COMPRESSION, 9}},
        {"baseline.jpg", &small, {cv::IMWRITE_JPEG_QUALITY, 80}},
        {"progressive.jpg", &wide, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}},
        {"gray.jpg", &gray, {cv::IMWRITE_JPEG_QUALITY, 60}},
        {"restart.jpg", &small, {cv::IMWRITE_JPEG_RST_INTERVAL, 1}},
        {"rgb.bmp", &small, {}},
        {"gray.bmp", &gray, {}},
        {"lossy.webp", &small, {cv::IMWRITE_WEBP_QUALITY, 60}},
        {"lossless.webp", &wide, {cv::IMWRITE_WEBP_QUALITY, 101}},
        {"rgba.webp", &rgba, {cv::IMWRITE_WEBP_QUALITY, 101}},
        {"rgb.tiff", &small, {}},
        {"rgb.ppm", &small, {}},
        {"gray.pgm", &gray, {}},
    };
    for (const Seed& s : seeds) {
        const std::string ext = std::string(s.name).substr(std::string(s.name).rfind('.'));
        std::vector<uchar> buffer;
        try {
            if (!cv::imencode(ext, *s.image, buffer, s.params))
                continue;
        } catch (const cv::Exception&) {
            continue; // this OpenCV has no encoder for the format: skip the seed
        }
        writeFile("image", s.name, std::string(buffer.begin(), buffer.end()));
    }
}

// --- FLOP configs ---------------------------------------------------------------------------

void flopConfigSeeds()
{
    nlohmann::json all = nlohmann::json::array();
    for (const ts::ArchSpec& preset : ts::flopPresets()) {
        const nlohmann::json object = ts::archSpecToJson(preset);
        all.push_back(object);
        writeFile("flop_config", "preset_" + preset.name + ".json", object.dump(2));
    }
    writeFile("flop_config", "all_presets.json", nlohmann::json{{"models", all}}.dump());
    // Hand-written configs using the spellings a user types: a preset with overrides, and every
    // architecture from scratch.
    const char* const handWritten[] = {
        R"([{"preset": "vit-b16", "name": "b16-deep", "depth": 24, "mlp_ratio": 2.5}])",
        R"({"architecture": "transformer", "depth": 2, "width": 64, "heads": 2, "causal": true, "patch_size": 0,
            "class_token": false, "head_outputs": 10, "head_tokens": "all"})",
        R"({"architecture": "window", "depth": 2, "width": 64, "heads": 4, "window": 16})",
        R"({"architecture": "fit", "width": 64, "heads": 2, "group_size": 16, "latents_per_group": 2,
            "pattern": "L2G1(1)1", "latent_width": 32})",
        R"({"architecture": "tome", "depth": 4, "width": 32, "heads": 2, "r": 3, "inflection": -0.5})",
        R"({"architecture": "tome", "depth": 4, "width": 32, "heads": 2, "schedule": [4, 2, 1]})",
        R"({"models": [{"architecture": "bswa", "block": 8, "memory": 1, "width": 16, "heads": 1},
                       {"architecture": "fam", "name": "f", "block": 8, "memory": 2, "fam_length": 2, "width": 16, "heads": 1}]})",
    };
    int i = 0;
    for (const char* text : handWritten)
        writeFile("flop_config", "hand_" + std::to_string(i++) + ".json", text);
}

// --- sessions -------------------------------------------------------------------------------
// Written with nlohmann (not ui/session.cpp's writer), in the shape File › Save Session writes.

void sessionSeeds()
{
    const nlohmann::json imagenet = {{"mean", {0.485, 0.456, 0.406}}, {"std", {0.229, 0.224, 0.225}}};
    const nlohmann::json panels = {
        {"ToMe", {{"r", 8}, {"schedule", 0}, {"inflection", 0.0}, {"list", ""}, {"proportional_attention", true},
                  {"layer", 12}, {"opacity", 100}, {"borders", true}, {"selected_patch", -1}}},
        {"FIT", {{"group", 4}, {"latents", 2}, {"pattern", "L2G1"}, {"block", 1}}},
        {"FAM", {{"block", 16}, {"memory", 1}, {"fam", 1}}},
        {"Masks", {{"kind", "fam"}, {"length", 64}}},
        {"FLOPs", {{"presets", {"vit-s16", "fit-s16"}}, {"lengths", "1024:65536:x2"}}}};
    auto session = [&](const std::string& image, const std::string& preset, int size, const std::string& seed,
                       const std::string& checkpoint, const nlohmann::json& norm, const std::string& tab,
                       const nlohmann::json& p) {
        return nlohmann::json{{"tokenscope_session", 1},
                              {"image", image},
                              {"model", {{"preset", preset}, {"image_size", size}, {"seed", seed}, {"checkpoint", checkpoint}}},
                              {"normalisation", norm},
                              {"current_tab", tab},
                              {"panels", p}};
    };
    writeFile("session", "default.tokenscope",
              session(":/images/astronaut.png", "vit-s16", 224, "0", "", imagenet, "ToMe", panels).dump(4));
    writeFile("session", "checkpoint.tokenscope",
              session("/home/user/coffee.png", "vit-b16", 384, "18446744073709551615", "/home/user/vit_b16.safetensors",
                      {{"mean", {0.5, 0.5, 0.5}}, {"std", {0.5, 0.5, 0.5}}}, "FIT", panels)
                  .dump());
    writeFile("session", "minimal.tokenscope",
              session("x.png", "vit-ti16", 16, "7", "", {{"mean", {0, 0, 0}}, {"std", {1, 1, 1}}}, "", nlohmann::json::object())
                  .dump());
    writeFile("session", "unicode.tokenscope",
              session("/tmp/\u00e9t\u00e9 photo.png", "vit-h16", 8192, "42", "", imagenet, "FLOPs",
                      {{"FLOPs", panels["FLOPs"]}, {"Unknown tab", {{"x", nullptr}}}})
                  .dump(1));
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: make_seeds <out-dir> <sample-image>\n");
        return 2;
    }
    g_out = argv[1];
    for (const char* sub : {"", "/safetensors", "/image", "/flop_config", "/session"})
        mkdir((g_out + sub).c_str(), 0755);
    safetensorsSeeds();
    imageSeeds(argv[2]);
    flopConfigSeeds();
    sessionSeeds();
    return 0;
}
