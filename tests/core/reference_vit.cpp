#include "tests/core/reference_vit.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace ts::test {
namespace F = torch::nn::functional;

void writeText(const std::string& path, const std::string& text)
{
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

void writeTensors(const std::string& path, const Tensors& tensors, const std::map<std::string, std::string>& metadata)
{
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::string data;
    for (const auto& [name, t0] : tensors) {
        const torch::Tensor t = t0.to(torch::kFloat32).contiguous();
        const auto bytes = static_cast<std::size_t>(t.numel() * 4);
        header[name] = {{"dtype", "F32"}, {"shape", t.sizes().vec()}, {"data_offsets", {data.size(), data.size() + bytes}}};
        data.append(static_cast<const char*>(t.data_ptr()), bytes);
    }
    const std::string text = header.dump();
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[static_cast<std::size_t>(i)] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
    writeText(path, out + text + data);
}

namespace {

struct Random {
    torch::Generator gen;
    explicit Random(std::uint64_t seed) : gen(at::detail::createCPUGenerator(seed)) {}
    torch::Tensor normal(std::vector<std::int64_t> shape, double std)
    {
        return torch::randn(shape, gen) * std;
    }
    torch::Tensor around(std::vector<std::int64_t> shape, double centre, double spread)
    {
        return centre + torch::randn(shape, gen) * spread;
    }
};

int prefixOf(const RefArch& a) { return (a.cls ? 1 : 0) + (a.dist ? 1 : 0) + a.registers; }

torch::Tensor layerNorm(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, double eps)
{
    return F::layer_norm(x, F::LayerNormFuncOptions({x.size(-1)}).weight(w).bias(b).eps(eps));
}

torch::Tensor linear(const torch::Tensor& x, const Tensors& w, const std::string& name)
{
    return F::linear(x, w.at(name + ".weight"), w.at(name + ".bias"));
}

torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int heads)
{
    const auto b = q.size(0), n = q.size(1), d = q.size(2), hd = d / heads;
    auto split = [&](const torch::Tensor& t) { return t.reshape({b, n, heads, hd}).transpose(1, 2); };
    torch::Tensor scores = torch::matmul(split(q), split(k).transpose(-1, -2)) / std::sqrt(static_cast<double>(hd));
    return torch::matmul(torch::softmax(scores, -1), split(v)).transpose(1, 2).reshape({b, n, d});
}

torch::Tensor patchTokens(const torch::Tensor& image, const torch::Tensor& w, const torch::Tensor& b, int patch)
{
    return F::conv2d(image, w, F::Conv2dFuncOptions().bias(b).stride(patch)).flatten(2).transpose(1, 2);
}

// timm resample_abs_pos_embed on the patch rows [1, rows*cols, D] -> [1, gh*gw, D].
torch::Tensor resampleGrid(const torch::Tensor& pos, int rows, int cols, std::int64_t gh, std::int64_t gw)
{
    if (rows == gh && cols == gw)
        return pos;
    torch::Tensor grid = pos.reshape({1, rows, cols, -1}).permute({0, 3, 1, 2});
    grid = F::interpolate(grid, F::InterpolateFuncOptions()
                                    .size(std::vector<std::int64_t>{gh, gw})
                                    .mode(torch::kBicubic)
                                    .align_corners(false)
                                    .antialias(true));
    return grid.permute({0, 2, 3, 1}).reshape({1, gh * gw, -1});
}

} // namespace

Tensors timmWeights(const RefArch& a, std::uint64_t seed)
{
    Random rnd(seed);
    Tensors w;
    const std::int64_t d = a.width;
    w["patch_embed.proj.weight"] = rnd.normal({d, 3, a.patch, a.patch}, 0.05);
    w["patch_embed.proj.bias"] = rnd.normal({d}, 0.1);
    if (a.cls)
        w["cls_token"] = rnd.normal({1, 1, d}, 0.5);
    if (a.dist)
        w["dist_token"] = rnd.normal({1, 1, d}, 0.5);
    if (a.registers > 0)
        w["reg_token"] = rnd.normal({1, a.registers, d}, 0.5);
    w["pos_embed"] = rnd.normal({1, (a.noEmbedClass ? 0 : prefixOf(a)) + a.rows * a.cols, d}, 0.5);
    auto norm = [&](const std::string& name, std::int64_t width) {
        w[name + ".weight"] = rnd.around({width}, 1.0, 0.1);
        w[name + ".bias"] = rnd.normal({width}, 0.1);
    };
    auto dense = [&](const std::string& name, std::int64_t out, std::int64_t in) {
        w[name + ".weight"] = rnd.normal({out, in}, 1.0 / std::sqrt(static_cast<double>(in)));
        w[name + ".bias"] = rnd.normal({out}, 0.1);
    };
    if (a.normPre)
        norm("norm_pre", d);
    for (int i = 0; i < a.depth; ++i) {
        const std::string b = "blocks." + std::to_string(i) + ".";
        norm(b + "norm1", d);
        dense(b + "attn.qkv", 3 * d, d);
        dense(b + "attn.proj", d, d);
        norm(b + "norm2", d);
        dense(b + "mlp.fc1", a.mlp, d);
        dense(b + "mlp.fc2", d, a.mlp);
        if (a.layerScale) {
            w[b + "ls1.gamma"] = rnd.around({d}, 0.5, 0.3);
            w[b + "ls2.gamma"] = rnd.around({d}, 0.5, 0.3);
        }
    }
    if (a.finalNorm)
        norm("norm", d);
    if (a.fcNorm)
        norm("fc_norm", d);
    if (a.classes > 0) {
        dense("head", a.classes, d);
        if (a.distHead)
            dense("head_dist", a.classes, d);
    }
    return w;
}

torch::Tensor timmForward(const Tensors& w, const RefArch& a, const torch::Tensor& image, double eps)
{
    torch::Tensor x = patchTokens(image, w.at("patch_embed.proj.weight"), w.at("patch_embed.proj.bias"), a.patch);
    const auto b = x.size(0), gh = image.size(2) / a.patch, gw = image.size(3) / a.patch;
    const int embedded = a.noEmbedClass ? 0 : prefixOf(a);
    torch::Tensor pos = w.at("pos_embed");
    pos = torch::cat({pos.narrow(1, 0, embedded), resampleGrid(pos.narrow(1, embedded, a.rows * a.cols), a.rows, a.cols, gh, gw)}, 1);
    std::vector<torch::Tensor> toCat;
    if (a.cls)
        toCat.push_back(w.at("cls_token").expand({b, -1, -1}));
    if (a.dist)
        toCat.push_back(w.at("dist_token").expand({b, -1, -1}));
    if (a.registers > 0)
        toCat.push_back(w.at("reg_token").expand({b, -1, -1}));
    if (a.noEmbedClass) { // timm _pos_embed: add, then concatenate
        x = x + pos;
        toCat.push_back(x);
        x = torch::cat(toCat, 1);
    } else {
        toCat.push_back(x);
        x = torch::cat(toCat, 1) + pos;
    }
    if (a.normPre)
        x = layerNorm(x, w.at("norm_pre.weight"), w.at("norm_pre.bias"), eps);
    for (int i = 0; i < a.depth; ++i) {
        const std::string p = "blocks." + std::to_string(i) + ".";
        torch::Tensor h = layerNorm(x, w.at(p + "norm1.weight"), w.at(p + "norm1.bias"), eps);
        std::vector<torch::Tensor> qkv = linear(h, w, p + "attn.qkv").chunk(3, -1);
        torch::Tensor y = linear(attention(qkv[0], qkv[1], qkv[2], a.heads), w, p + "attn.proj");
        x = x + (a.layerScale ? y * w.at(p + "ls1.gamma") : y);
        h = layerNorm(x, w.at(p + "norm2.weight"), w.at(p + "norm2.bias"), eps);
        y = linear(F::gelu(linear(h, w, p + "mlp.fc1")), w, p + "mlp.fc2");
        x = x + (a.layerScale ? y * w.at(p + "ls2.gamma") : y);
    }
    if (a.finalNorm)
        x = layerNorm(x, w.at("norm.weight"), w.at("norm.bias"), eps);
    if (a.dist) { // VisionTransformerDistilled.forward_head
        torch::Tensor c = x.select(1, 0), dt = x.select(1, 1);
        if (a.classes == 0)
            return (c + dt) / 2;
        return (linear(c, w, "head") + linear(dt, w, "head_dist")) / 2;
    }
    torch::Tensor pooled = a.avgPool ? x.slice(1, prefixOf(a)).mean(1) : x.select(1, 0);
    if (a.fcNorm)
        pooled = layerNorm(pooled, w.at("fc_norm.weight"), w.at("fc_norm.bias"), eps);
    return a.classes > 0 ? linear(pooled, w, "head") : pooled;
}

Tensors hfWeights(HfModel m, const RefArch& a, std::uint64_t seed)
{
    Random rnd(seed);
    Tensors w;
    const std::int64_t d = a.width;
    const bool dinov2 = m == HfModel::Dinov2 || m == HfModel::Dinov2Classifier || m == HfModel::Dinov2Registers;
    const bool deit = m == HfModel::Deit || m == HfModel::DeitWithTeacher;
    const std::string base = m == HfModel::Vit ? "vit." : deit ? "deit." : m == HfModel::Dinov2Classifier ? "dinov2." : "";
    auto norm = [&](const std::string& name) {
        w[name + ".weight"] = rnd.around({d}, 1.0, 0.1);
        w[name + ".bias"] = rnd.normal({d}, 0.1);
    };
    auto dense = [&](const std::string& name, std::int64_t out, std::int64_t in) {
        w[name + ".weight"] = rnd.normal({out, in}, 1.0 / std::sqrt(static_cast<double>(in)));
        w[name + ".bias"] = rnd.normal({out}, 0.1);
    };
    const std::string e = base + "embeddings.";
    w[e + "cls_token"] = rnd.normal({1, 1, d}, 0.5);
    if (deit)
        w[e + "distillation_token"] = rnd.normal({1, 1, d}, 0.5);
    if (dinov2)
        w[e + "mask_token"] = rnd.normal({1, d}, 0.5);
    if (m == HfModel::Dinov2Registers)
        w[e + "register_tokens"] = rnd.normal({1, a.registers, d}, 0.5);
    w[e + "position_embeddings"] = rnd.normal({1, (deit ? 2 : 1) + a.rows * a.cols, d}, 0.5);
    w[e + "patch_embeddings.projection.weight"] = rnd.normal({d, 3, a.patch, a.patch}, 0.05);
    w[e + "patch_embeddings.projection.bias"] = rnd.normal({d}, 0.1);
    for (int i = 0; i < a.depth; ++i) {
        const std::string l = base + "encoder.layer." + std::to_string(i) + ".";
        for (const char* qkv : {"query", "key", "value"})
            dense(l + "attention.attention." + qkv, d, d);
        dense(l + "attention.output.dense", d, d);
        if (dinov2) {
            norm(l + "norm1");
            norm(l + "norm2");
            dense(l + "mlp.fc1", a.mlp, d);
            dense(l + "mlp.fc2", d, a.mlp);
            w[l + "layer_scale1.lambda1"] = rnd.around({d}, 0.5, 0.3);
            w[l + "layer_scale2.lambda1"] = rnd.around({d}, 0.5, 0.3);
        } else {
            norm(l + "layernorm_before");
            norm(l + "layernorm_after");
            dense(l + "intermediate.dense", a.mlp, d);
            dense(l + "output.dense", d, a.mlp);
        }
    }
    norm(base + "layernorm");
    if (m == HfModel::Vit || m == HfModel::Deit)
        dense("classifier", a.classes, d);
    if (m == HfModel::DeitWithTeacher) {
        dense("cls_classifier", a.classes, d);
        dense("distillation_classifier", a.classes, d);
    }
    if (m == HfModel::Dinov2Classifier)
        dense("classifier", a.classes, 2 * d);
    return w;
}

torch::Tensor hfForward(HfModel m, const Tensors& w, const RefArch& a, const torch::Tensor& image, double eps)
{
    const bool dinov2 = m == HfModel::Dinov2 || m == HfModel::Dinov2Classifier || m == HfModel::Dinov2Registers;
    const bool deit = m == HfModel::Deit || m == HfModel::DeitWithTeacher;
    const std::string base = m == HfModel::Vit ? "vit." : deit ? "deit." : m == HfModel::Dinov2Classifier ? "dinov2." : "";
    const std::string e = base + "embeddings.";
    torch::Tensor x = patchTokens(image, w.at(e + "patch_embeddings.projection.weight"),
                                  w.at(e + "patch_embeddings.projection.bias"), a.patch);
    const auto b = x.size(0);
    std::vector<torch::Tensor> parts = {w.at(e + "cls_token").expand({b, -1, -1})};
    if (deit)
        parts.push_back(w.at(e + "distillation_token").expand({b, -1, -1}));
    parts.push_back(x);
    x = torch::cat(parts, 1) + w.at(e + "position_embeddings");
    if (m == HfModel::Dinov2Registers) // Dinov2WithRegistersEmbeddings: registers after the positions
        x = torch::cat({x.narrow(1, 0, 1), w.at(e + "register_tokens").expand({b, -1, -1}), x.narrow(1, 1, x.size(1) - 1)}, 1);
    for (int i = 0; i < a.depth; ++i) {
        const std::string l = base + "encoder.layer." + std::to_string(i) + ".";
        const std::string n1 = dinov2 ? "norm1" : "layernorm_before", n2 = dinov2 ? "norm2" : "layernorm_after";
        torch::Tensor h = layerNorm(x, w.at(l + n1 + ".weight"), w.at(l + n1 + ".bias"), eps);
        const std::string at = l + "attention.attention.";
        torch::Tensor y = linear(attention(linear(h, w, at + "query"), linear(h, w, at + "key"), linear(h, w, at + "value"), a.heads),
                                 w, l + "attention.output.dense");
        x = (dinov2 ? y * w.at(l + "layer_scale1.lambda1") : y) + x;
        h = layerNorm(x, w.at(l + n2 + ".weight"), w.at(l + n2 + ".bias"), eps);
        if (dinov2)
            x = linear(F::gelu(linear(h, w, l + "mlp.fc1")), w, l + "mlp.fc2") * w.at(l + "layer_scale2.lambda1") + x;
        else
            x = linear(F::gelu(linear(h, w, l + "intermediate.dense")), w, l + "output.dense") + x;
    }
    x = layerNorm(x, w.at(base + "layernorm.weight"), w.at(base + "layernorm.bias"), eps);
    switch (m) {
    case HfModel::Vit:
    case HfModel::Deit:
        return linear(x.select(1, 0), w, "classifier");
    case HfModel::DeitWithTeacher:
        return (linear(x.select(1, 0), w, "cls_classifier") + linear(x.select(1, 1), w, "distillation_classifier")) / 2;
    case HfModel::Dinov2Classifier:
        return linear(torch::cat({x.select(1, 0), x.slice(1, 1).mean(1)}, 1), w, "classifier");
    default:
        return x.select(1, 0); // pooler_output
    }
}

} // namespace ts::test
