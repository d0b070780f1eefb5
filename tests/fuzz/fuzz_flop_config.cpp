// libFuzzer target: the FLOP lab's config reader (ts::parseFlopConfig, core/flops/flop_config.h).
// Besides crashes it checks the reader's promises: every model it returns validates, writing a
// model back as JSON and parsing that gives the same model (flop_config.h), and the derived
// quantities the FLOP lab computes next (summary, ToMe's per-layer r) are well defined.
#include "core/flops/flop_config.h"
#include "core/util/error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

[[noreturn]] void broken(const std::string& what)
{
    std::fprintf(stderr, "fuzz_flop_config: broken promise: %s\n", what.c_str());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<ts::ArchSpec> specs;
    try {
        specs = ts::parseFlopConfig(text, "fuzz.json");
    } catch (const ts::Error&) {
        return 0;
    }
    for (const ts::ArchSpec& spec : specs) {
        try {
            spec.validate();
        } catch (const ts::Error& e) {
            broken(std::string("a returned model does not validate: ") + e.what());
        }
        const nlohmann::json written = ts::archSpecToJson(spec);
        nlohmann::json rewritten;
        try {
            rewritten = ts::archSpecToJson(ts::archSpecFromJson(written, "round trip"));
        } catch (const ts::Error& e) {
            broken(std::string("a written model is refused when read back: ") + e.what() + " in " + written.dump());
        }
        if (written != rewritten)
            broken("round trip changed the model: " + written.dump() + " became " + rewritten.dump());
        (void)spec.summary();
        if (spec.kind == ts::ArchKind::ToMe)
            (void)spec.schedule.perLayer(spec.depth);
    }
    return 0;
}
