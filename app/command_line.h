#pragma once
// `tokenscope <command> ...`: the command-line front end. Each command lives in its own
// cli_<command>.cpp and calls the same core functions as the GUI.
#include <string>
#include <vector>

namespace ts::cli {

// True when argv names a command-line command (so main() starts no window).
bool isCommand(int argc, char** argv);
// Runs it; returns the process exit code. Errors print one line on stderr and return non-zero.
int run(int argc, char** argv);

// The commands (one file each).
int runMerge(const std::vector<std::string>& args);
int runCompare(const std::vector<std::string>& args);
int runEval(const std::vector<std::string>& args);
int runAttentionCommand(const std::vector<std::string>& args); // `attention` (ts::runAttention is the core call)
int runBench(const std::vector<std::string>& args);
int runBenchTome(const std::vector<std::string>& args);
int runBenchMethods(const std::vector<std::string>& args);
int runBenchLinear(const std::vector<std::string>& args);
int runFlops(const std::vector<std::string>& args);
int runBenchFlops(const std::vector<std::string>& args);
int runMask(const std::vector<std::string>& args);
int runFamCommand(const std::vector<std::string>& args); // `fam` (ts::runFam is the core call)
int runBenchFam(const std::vector<std::string>& args);
int runFitCommand(const std::vector<std::string>& args); // `fit` (ts::runFit is the core call)
int runBenchFit(const std::vector<std::string>& args);

} // namespace ts::cli
