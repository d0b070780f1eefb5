#include "core/settings/lab_settings.h"

namespace ts {

bool operator==(const Normalisation& a, const Normalisation& b)
{
    for (int c = 0; c < 3; ++c)
        if (a.mean[c] != b.mean[c] || a.std[c] != b.std[c])
            return false;
    return true;
}

bool operator==(const ModelSettings& a, const ModelSettings& b)
{
    return a.source == b.source && a.checkpointSha256 == b.checkpointSha256 && a.normalisation == b.normalisation;
}

} // namespace ts
