#pragma once
// Progress and cancellation for long core work, free of Qt so the CLI and the GUI share it.
#include "core/util/error.h"

#include <functional>
#include <string>

namespace ts {

struct RunControl {
    // done/total steps and a short label of what is running ("block 3/12").
    std::function<void(int done, int total, const std::string& what)> onProgress;
    std::function<bool()> isCancelled;

    void progress(int done, int total, const std::string& what = {}) const
    {
        if (onProgress)
            onProgress(done, total, what);
    }
    bool cancelled() const { return isCancelled && isCancelled(); }
    void throwIfCancelled() const
    {
        if (cancelled())
            throw Cancelled{};
    }
};

} // namespace ts
