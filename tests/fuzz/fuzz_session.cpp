// libFuzzer target: the session reader (ts::sessionFromJson, ui/session.h; Qt Core's JSON, no
// widgets). Besides crashes it checks the reader's promises: a session it accepts has a known
// preset, a valid input size and positive stds, and writing it back and reading that gives the
// same session (what Save Session after Open Session relies on).
#include "core/util/error.h"
#include "core/vit/vit_config.h"
#include "ui/shell/session.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

[[noreturn]] void broken(const std::string& what)
{
    std::fprintf(stderr, "fuzz_session: broken promise: %s\n", what.c_str());
    std::abort();
}

bool sameSession(const ts::Session& a, const ts::Session& b)
{
    for (int c = 0; c < 3; ++c)
        if (a.normalisation.mean[c] != b.normalisation.mean[c] || a.normalisation.std[c] != b.normalisation.std[c])
            return false;
    return a.imagePath == b.imagePath && a.model.preset == b.model.preset && a.model.imageSize == b.model.imageSize
           && a.model.seed == b.model.seed && a.model.checkpoint == b.model.checkpoint && a.currentTab == b.currentTab
           && a.panels == b.panels;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    ts::Session session;
    try {
        session = ts::sessionFromJson(bytes, "fuzz.tokenscope");
    } catch (const ts::Error& e) {
        if (std::string(e.what()).find('\n') != std::string::npos)
            broken(std::string("a multi-line message: ") + e.what());
        return 0;
    }
    try {
        ts::vitPreset(session.model.preset);
    } catch (const ts::Error& e) {
        broken(std::string("accepted an unknown preset: ") + e.what());
    }
    if (session.model.imageSize < 16 || session.model.imageSize % 16 != 0)
        broken("accepted image size " + std::to_string(session.model.imageSize));
    for (int c = 0; c < 3; ++c)
        if (!(session.normalisation.std[c] > 0))
            broken("accepted a non-positive std");
    ts::Session again;
    try {
        again = ts::sessionFromJson(ts::sessionToJson(session), "rewritten.tokenscope");
    } catch (const ts::Error& e) {
        broken(std::string("a written session does not read back: ") + e.what());
    }
    if (!sameSession(session, again))
        broken("write + read changed the session");
    return 0;
}
