#include "core/vit/vit_runner.h"

#include "core/util/error.h"

namespace ts {

torch::Tensor imageToTensor(const cv::Mat& rgb, const Normalisation& norm)
{
    if (rgb.empty() || rgb.type() != CV_8UC3)
        throw Error("image: expected an 8-bit RGB image");
    cv::Mat contiguous = rgb.isContinuous() ? rgb : rgb.clone();
    torch::Tensor t = torch::from_blob(contiguous.data, {contiguous.rows, contiguous.cols, 3}, torch::kUInt8)
                          .to(torch::kFloat32)
                          .div_(255.0);
    torch::Tensor mean = torch::tensor({norm.mean[0], norm.mean[1], norm.mean[2]});
    torch::Tensor std = torch::tensor({norm.std[0], norm.std[1], norm.std[2]});
    t = (t - mean) / std;
    return t.permute({2, 0, 1}).unsqueeze(0).contiguous();
}

std::vector<ClassScore> topClasses(const torch::Tensor& logits, int k)
{
    const auto& names = imagenetClassNames();
    return topClasses(logits, k, logits.size(-1) == static_cast<std::int64_t>(names.size()) ? names : std::vector<std::string>{});
}

std::vector<ClassScore> topClasses(const torch::Tensor& logits, int k, const std::vector<std::string>& names)
{
    std::vector<ClassScore> out;
    const auto classes = logits.size(-1);
    if (classes <= 0)
        return out;
    torch::Tensor probs = torch::softmax(logits.reshape({-1, classes})[0], /*dim=*/0);
    auto [values, indices] = probs.topk(std::min<std::int64_t>(k, classes));
    for (int i = 0; i < values.size(0); ++i) {
        ClassScore s;
        s.index = static_cast<int>(indices[i].item<std::int64_t>());
        s.probability = values[i].item<double>();
        s.name = classes == static_cast<std::int64_t>(names.size()) ? names[static_cast<std::size_t>(s.index)]
                                                                     : "class " + std::to_string(s.index);
        out.push_back(s);
    }
    return out;
}

} // namespace ts
