#include "core/util/blas_info.h"

#include <dlfcn.h>

#include <cstdlib>

namespace ts {

BlasInfo blasInfo()
{
    BlasInfo info;
    using NameFn = char* (*)();
    // LibTorch has already loaded the BLAS library, so its symbols are in the global scope.
    const auto corename = reinterpret_cast<NameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    const auto config = reinterpret_cast<NameFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
    if (corename) {
        info.openblas = true;
        if (const char* name = corename())
            info.kernel = name;
        if (config)
            if (const char* text = config())
                info.config = text;
    }
    if (const char* env = std::getenv("OPENBLAS_CORETYPE"))
        info.coretype = env;
    return info;
}

std::string describeBlas(const BlasInfo& info)
{
    if (!info.openblas)
        return "BLAS: not OpenBLAS (no openblas_get_corename in the process)";
    std::string line = "OpenBLAS kernel " + (info.kernel.empty() ? std::string("unknown") : info.kernel) + " (";
    line += info.coretype.empty() ? "chosen for this processor" : "forced by OPENBLAS_CORETYPE=" + info.coretype;
    if (!info.config.empty())
        line += "; " + info.config;
    return line + ")";
}

} // namespace ts
