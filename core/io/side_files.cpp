#include "core/io/side_files.h"

#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ts {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxSideFileBytes = 64u << 20; // an id2label of 22k classes is ~1 MB

std::string readText(const fs::path& path)
{
    std::error_code ec;
    const auto bytes = fs::file_size(path, ec);
    if (ec)
        throw Error("'" + path.string() + "': cannot read (" + ec.message() + ")");
    if (bytes > kMaxSideFileBytes)
        throw Error("'" + path.string() + "': " + std::to_string(bytes) + " bytes, more than a model's side file holds");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("'" + path.string() + "': cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

[[noreturn]] void bad(const std::string& file, const std::string& key, const std::string& expected)
{
    throw Error("'" + file + "': '" + key + "' " + expected);
}

int integer(const json& o, const std::string& file, const std::string& key, int lo, int hi)
{
    const json& v = o.at(key);
    if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi)
        bad(file, key, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return static_cast<int>(v.get<long long>());
}

double number(const json& o, const std::string& file, const std::string& key, double lo, double hi)
{
    const json& v = o.at(key);
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < lo || v.get<double>() > hi)
        bad(file, key, "must be a number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return v.get<double>();
}

std::string text(const json& o, const std::string& file, const std::string& key)
{
    if (!o.at(key).is_string())
        bad(file, key, "must be a string");
    return o.at(key).get<std::string>();
}

std::vector<double> triple(const json& o, const std::string& file, const std::string& key, bool positive,
                           const std::string& where = "")
{
    const json& v = o.at(key.substr(where.size()));
    if (!v.is_array() || v.size() != 3)
        bad(file, key, "must be three numbers (R, G, B)");
    std::vector<double> out;
    for (const json& x : v) {
        if (!x.is_number() || !std::isfinite(x.get<double>()) || (positive && !(x.get<double>() > 0)))
            bad(file, key, positive ? "must be three positive numbers" : "must be three finite numbers");
        out.push_back(x.get<double>());
    }
    return out;
}

json parse(const std::string& content, const std::string& file)
{
    json j = json::parse(content, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object())
        throw Error("'" + file + "': not a JSON object");
    return j;
}

void readTimm(SideFiles& s, const json& j, const std::string& file)
{
    s.kind = SideFiles::Kind::Timm;
    s.architecture = text(j, file, "architecture");
    if (j.contains("num_classes"))
        s.numClasses = integer(j, file, "num_classes", 0, 1 << 24);
    if (!j.contains("pretrained_cfg"))
        return;
    const json& cfg = j.at("pretrained_cfg");
    const std::string where = "pretrained_cfg.";
    if (!cfg.is_object())
        bad(file, "pretrained_cfg", "must be an object");
    if (cfg.contains("mean"))
        s.mean = triple(cfg, file, where + "mean", false, where);
    if (cfg.contains("std"))
        s.std = triple(cfg, file, where + "std", true, where);
    if (cfg.contains("crop_pct"))
        s.cropPct = number(cfg, file, "crop_pct", 0.05, 1.0); // message: pretrained_cfg's crop_pct
    if (cfg.contains("interpolation"))
        s.interpolation = text(cfg, file, "interpolation");
    if (cfg.contains("input_size")) {
        const json& v = cfg.at("input_size");
        if (!v.is_array() || v.size() != 3 || !v[1].is_number_integer() || !v[2].is_number_integer()
            || v[1].get<long long>() < 1 || v[2].get<long long>() < 1 || v[1].get<long long>() > 65536
            || v[2].get<long long>() > 65536)
            bad(file, "pretrained_cfg.input_size", "must be [3, height, width] with sizes from 1 to 65536");
        s.inputHeight = static_cast<int>(v[1].get<long long>());
        s.inputWidth = static_cast<int>(v[2].get<long long>());
    }
}

void readTransformers(SideFiles& s, const json& j, const std::string& file)
{
    s.kind = SideFiles::Kind::Transformers;
    s.modelType = text(j, file, "model_type");
    auto optionalInt = [&](const char* key, int& out, int lo, int hi) {
        if (j.contains(key) && !j.at(key).is_null())
            out = integer(j, file, key, lo, hi);
    };
    optionalInt("hidden_size", s.hiddenSize, 1, 1 << 16);
    optionalInt("num_hidden_layers", s.numLayers, 1, 4096);
    optionalInt("num_attention_heads", s.numHeads, 1, 4096);
    optionalInt("intermediate_size", s.intermediateSize, 1, 1 << 20);
    optionalInt("patch_size", s.patchSize, 1, 4096);
    optionalInt("image_size", s.imageSize, 1, 65536);
    optionalInt("num_register_tokens", s.numRegisters, 0, 1024);
    if (j.contains("layer_norm_eps"))
        s.layerNormEps = number(j, file, "layer_norm_eps", 1e-30, 1.0);
    if (j.contains("hidden_act"))
        s.hiddenAct = text(j, file, "hidden_act");
    if (j.contains("use_swiglu_ffn") && j.at("use_swiglu_ffn").is_boolean() && j.at("use_swiglu_ffn").get<bool>())
        bad(file, "use_swiglu_ffn", "is true: SwiGLU MLPs (DINOv2 giant) are not supported, only GELU MLPs");
    if (j.contains("id2label")) {
        const json& labels = j.at("id2label");
        if (!labels.is_object())
            bad(file, "id2label", "must be an object of index: name");
        s.id2label.assign(labels.size(), std::string());
        for (const auto& [key, value] : labels.items()) {
            std::size_t used = 0;
            long long index = -1;
            try {
                index = std::stoll(key, &used);
            } catch (const std::exception&) {
            }
            if (used != key.size() || index < 0 || index >= static_cast<long long>(labels.size()) || !value.is_string())
                bad(file, "id2label", "must map the indices 0 .. " + std::to_string(labels.size() - 1) + " to names (bad entry '" + key + "')");
            s.id2label[static_cast<std::size_t>(index)] = value.get<std::string>();
        }
    }
}

void readSize(const json& j, const std::string& file, const char* key, int& shortest, int& h, int& w)
{
    const json& v = j.at(key);
    if (v.is_number_integer()) {
        h = w = integer(j, file, key, 1, 65536);
        return;
    }
    if (!v.is_object())
        bad(file, key, "must be a number or an object with shortest_edge or height and width");
    if (v.contains("shortest_edge"))
        shortest = integer(v, file, "shortest_edge", 1, 65536);
    else if (v.contains("height") && v.contains("width")) {
        h = integer(v, file, "height", 1, 65536);
        w = integer(v, file, "width", 1, 65536);
    } else
        bad(file, key, "must hold shortest_edge or height and width");
}

void readPreprocessor(SideFiles& s, const json& j, const std::string& file)
{
    auto flag = [&](const char* key, bool& out) {
        if (j.contains(key)) {
            if (!j.at(key).is_boolean())
                bad(file, key, "must be true or false");
            out = j.at(key).get<bool>();
        }
    };
    flag("do_resize", s.doResize);
    flag("do_center_crop", s.doCenterCrop);
    if (j.contains("image_mean"))
        s.imageMean = triple(j, file, "image_mean", false);
    if (j.contains("image_std"))
        s.imageStd = triple(j, file, "image_std", true);
    if (j.contains("size"))
        readSize(j, file, "size", s.resizeShortest, s.resizeHeight, s.resizeWidth);
    if (j.contains("crop_size")) {
        int shortest = 0;
        readSize(j, file, "crop_size", shortest, s.cropHeight, s.cropWidth);
        if (shortest > 0)
            bad(file, "crop_size", "must give height and width");
    }
    if (j.contains("resample"))
        s.resample = integer(j, file, "resample", 0, 5);
}

} // namespace

SideFiles parseSideFiles(const std::string& configText, const std::string& configName, const std::string& preprocessorText,
                         const std::string& preprocessorName)
{
    SideFiles s;
    try {
        if (!configText.empty()) {
            s.configPath = configName;
            const json j = parse(configText, configName);
            if (j.contains("model_type"))
                readTransformers(s, j, configName);
            else if (j.contains("architecture"))
                readTimm(s, j, configName);
            else
                throw Error("'" + configName + "': neither timm's ('architecture') nor transformers' ('model_type') config.json");
        }
        if (!preprocessorText.empty()) {
            s.preprocessorPath = preprocessorName;
            readPreprocessor(s, parse(preprocessorText, preprocessorName), preprocessorName);
        }
    } catch (const json::exception& e) {
        throw Error("'" + (s.preprocessorPath.empty() ? configName : preprocessorName) + "': " + e.what());
    }
    return s;
}

SideFiles readSideFiles(const std::string& checkpointPath)
{
    const fs::path folder = fs::path(checkpointPath).parent_path();
    const fs::path config = folder / "config.json", pre = folder / "preprocessor_config.json";
    std::error_code ec;
    auto read = [&ec](const fs::path& p) {
        if (!fs::is_regular_file(p, ec))
            return std::string();
        std::string text = readText(p);
        if (text.empty())
            throw Error("'" + p.string() + "': empty file (a side file must be a JSON object)");
        return text;
    };
    const std::string configText = read(config), preText = read(pre);
    return parseSideFiles(configText, config.string(), preText, pre.string());
}

std::string resolveCheckpointPath(const std::string& path)
{
    std::error_code ec;
    if (!fs::is_directory(path, ec))
        return path;
    const fs::path model = fs::path(path) / "model.safetensors";
    if (!fs::is_regular_file(model, ec))
        throw Error("checkpoint folder '" + path + "': no model.safetensors in it");
    return model.string();
}

} // namespace ts
