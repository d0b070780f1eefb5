#include "core/flops/flop_convention.h"

#include "core/util/error.h"

#include <sstream>

namespace ts {

std::string FlopConvention::name() const
{
    std::string out;
    auto add = [&out](const char* token) { out += (out.empty() ? "" : "+") + std::string(token); };
    if (macsAsFlops)
        add("macs");
    if (causalHalf)
        add("causal-half");
    if (training)
        add("training");
    return out.empty() ? "default" : out;
}

std::string FlopConvention::label() const
{
    std::string out = training ? "training (3 x forward)" : "forward";
    out += macsAsFlops ? ", 1 MAC = 1 FLOP (fvcore)" : ", 1 MAC = 2 FLOPs";
    out += causalHalf ? ", causal attention counted over unmasked pairs (~ half)" : ", masked attention counted in full";
    return out;
}

FlopConvention flopConvention(const std::string& name)
{
    FlopConvention c;
    std::stringstream in(name);
    std::string token;
    bool any = false;
    while (std::getline(in, token, '+')) {
        any = true;
        if (token == "default" || token == "forward")
            continue;
        if (token == "macs" || token == "fvcore")
            c.macsAsFlops = true;
        else if (token == "causal-half" || token == "kaplan")
            c.causalHalf = true;
        else if (token == "training")
            c.training = true;
        else
            throw Error("convention: unknown '" + token + "' (use default, macs, causal-half, training, joined by '+')");
    }
    if (!any)
        throw Error("convention: empty name (use default, macs, causal-half, training)");
    return c;
}

std::vector<std::string> flopConventionPresets() { return {"default", "macs", "causal-half", "training"}; }

} // namespace ts
