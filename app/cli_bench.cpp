// tokenscope bench <name>: benchmarks that print figures (not tests).
#include "app/command_line.h"
#include "core/util/error.h"

#include <functional>
#include <map>

namespace ts::cli {

int runBench(const std::vector<std::string>& argv)
{
    // One line per benchmark; each lives in app/cli_bench_<name>.cpp.
    static const std::map<std::string, std::function<int(const std::vector<std::string>&)>> benches = {
        {"tome", runBenchTome},
        {"methods", runBenchMethods},
        {"flops", runBenchFlops},
        {"fam", runBenchFam},
        {"fit", runBenchFit},
        {"linear", runBenchLinear},
    };
    if (argv.empty() || !benches.count(argv.front())) {
        std::string known;
        for (const auto& [name, fn] : benches)
            known += (known.empty() ? "" : "|") + name;
        throw Error("usage: tokenscope bench " + known + " [--json]");
    }
    return benches.at(argv.front())(std::vector<std::string>(argv.begin() + 1, argv.end()));
}

} // namespace ts::cli
