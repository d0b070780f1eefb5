#include "app/command_line.h"

#include "core/util/error.h"
#include "core/util/printable.h"
#include "core/util/threads.h"

#include <QApplication>
#include <QDir>
#include <QFile>

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>

namespace ts::cli {
namespace {

using Command = std::function<int(const std::vector<std::string>&)>;

const std::map<std::string, std::pair<Command, const char*>>& commands()
{
    // One line per command; the text is the usage shown by `tokenscope help`.
    static const std::map<std::string, std::pair<Command, const char*>> table = {
        {"merge", {runMerge, "merge --image IMG [--preset vit-s16 | --checkpoint FILE] [--seed N] [--r R | --schedule LIST | "
                             "--r R --inflection X] [--method tome|pitome|atc|evit [--margin M] [--keep-ratio X] [--linkage single|complete|average] "
                             "[--keep-rate X] [--layers LIST]] [--no-prop-attn] [--size PIXELS] [--mean R,G,B --std R,G,B] [--layer K] [--opacity 0..1] "
                             "[--no-borders] [--colours mean|random] [--select PATCH] --out MAP.png|.svg|.pdf [--json OUT.json]"}},
        {"attention", {runAttentionCommand, "attention --image IMG [--preset P | --checkpoint FILE|FOLDER] [--seed N] [--size PIXELS] "
                                            "[--norm-mean R,G,B --norm-std R,G,B] [--r R (0) | --schedule LIST | --r R --inflection X] "
                                            "[--no-prop-attn] --block K (1-based) [--head H (0-based) | --mean] [--rollout] "
                                            "[--colour-range data|from-zero] --out MAP.png|.svg|.pdf [--json OUT.json]"}},
        {"fit", {runFitCommand, "fit --image IMG [--checkpoint FILE] --group G --latents M --pattern STR [--latent-width D] "
                                "[--latent-heads H] [--autoregressive] [--seed N] [--mean R,G,B --std R,G,B] [--size PIXELS] [--block K] "
                                "[--overlay group:I | latent:I,J] [--colour-range fixed|data] --out OVERLAY.png [--json OUT.json]"}},
        {"mask", {runMask, "mask --kind full|causal|swa|bswa|fam|fit-local|fit-latent-read|fit-global|fit-data-read|fit|fit-ar|tome "
                           "--length L [--window W] [--block B] [--memory S (1)] [--fam F] [--group G --latents M] [--ar] "
                           "[--bidirectional] [--region Q0:Q1,K0:K1] [--pixels N (1024)] [--panel-side N] [--width D (384)] [--compare K2[,K3]] "
                           "[--depth D [--query Q] [--rf-out RF.png]] [--max-work N (5e8)] [tome: --image IMG [--r R] [--layer K]] "
                           "--out MASK.png|.svg|.pdf [--json OUT.json]"}},
        {"fam", {runFamCommand, "fam --image IMG | --stream-length N [--preset P | --checkpoint FILE] [--seed N] --block B "
                                "--memory S --fam F [--no-fam] [--causal | --bidirectional] [--overlay block:I] [--layer K (1-based)] [--query Q] "
                                "[--colour-range from-zero|data|fixed] --out FILE.png|.svg|.pdf [--json OUT.json]"}},
        {"flops", {runFlops, "flops --preset NAME[,NAME...] | --config FILE.json --lengths 1024:1048576:x2 | --lengths 1024,4096,... "
                             "[--convention default|macs|causal-half|training (joined by +)] [--breakdown [--stages]] [--measure "
                             "[--memory-limit-mib N] [--measure-max-length N] [--measure-max-flops F (2e13)]] [--mode curves|ratio|breakdown] [--baseline NAME] [--breakdown-model NAME] "
                             "[--csv OUT.csv] [--json OUT.json] [--out PLOT.png|.svg|.pdf [--figure-size WxH] [--mark-length N]]"}},
        {"compare", {runCompare, "compare --image IMG [--preset P | --checkpoint FILE] [--seed N] [--size PIXELS] "
                                 "--methods tome,pitome,atc,evit (--gflops G | --fraction F) [--margin M] [--linkage L] [--layers LIST] "
                                 "[--layer K] [--select PATCH] [--json OUT.json] [--out FIG.png|.svg|.pdf]"}},
        {"eval", {runEval, "eval --images DIR [--labels FILE.csv] [--preset P | --checkpoint FILE] [--seed N] [--size PIXELS] "
                           "--method M[,M2...] (--r LIST | --gflops LIST) [--margin M] [--linkage L] [--layers LIST] [--batch N (32)] "
                           "[--progress FILE (OUT.json.progress.jsonl)] --json OUT.json [--csv OUT.csv] [--out PLOT.png|.svg|.pdf]"}},
        {"bench", {runBench, "bench tome|methods|fit|fam|flops|linear [--json]"}},
    };
    return table;
}

void printUsage(std::ostream& out)
{
    out << "usage: tokenscope                  (starts the desktop app)\n";
    for (const auto& [name, entry] : commands())
        out << "       tokenscope " << entry.second << "\n";
    out << "Commands that write a figure (--out) also take --scale S or --dpi N for PNG (default 1x = 96 DPI).\n";
    out << "Model options: --preset P --seed N | --checkpoint FILE [--checkpoint-sha256 HEX], --size PIXELS, --mean R,G,B --std R,G,B.\n";
    out << "Every figure embeds the command that redraws it (PNG text, SVG/PDF metadata, FILE.recipe.json).\n";
}

// Levenshtein distance, for "did you mean".
std::size_t editDistance(const std::string& a, const std::string& b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// One line: the unknown word, the commands, and the nearest one when it is a likely typo.
int unknownCommand(const std::string& name)
{
    std::string list, nearest;
    std::size_t best = 3; // at most two edits away counts as a typo
    for (const auto& entry : commands()) {
        list += (list.empty() ? "" : ", ") + entry.first;
        const std::size_t d = editDistance(name, entry.first);
        if (d < best) {
            best = d;
            nearest = entry.first;
        }
    }
    std::cerr << "tokenscope: unknown command " << quotedForMessage(name) << (nearest.empty() ? "" : " (did you mean " + nearest + "?)")
              << "; the commands are " << list << ", help (run without a command for the desktop app)\n";
    return 1;
}

} // namespace

bool isCommand(int argc, char** argv)
{
    // Any first word is a command (known or not: a typo must not start the desktop app); options
    // starting with '-' other than these are Qt's own (-platform, -style) and go to the app.
    if (argc < 2)
        return false;
    const std::string first = argv[1];
    return (!first.empty() && first[0] != '-') || first == "--help" || first == "-h" || first == "--version";
}

int run(int argc, char** argv)
{
    const std::string name = argv[1];
    if (name == "help" || name == "--help" || name == "-h") {
        printUsage(std::cout);
        return 0;
    }
    if (name == "--version") {
        std::cout << "tokenscope " << TOKENSCOPE_VERSION_STRING << "\n";
        return 0;
    }
    if (!commands().count(name))
        return unknownCommand(name);
    // Figures are painted offscreen; no window is needed, so never ask for a display.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Without a session (ssh, CI) Qt warns on stderr about XDG_RUNTIME_DIR; give it a private
    // folder, as a login session would, so the command's stderr holds only its own messages.
    if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        const QByteArray dir = QFile::encodeName(QDir::tempPath()) + "/tokenscope-runtime-" + QByteArray::number(getuid());
        if (::mkdir(dir.constData(), 0700) == 0 || errno == EEXIST)
            qputenv("XDG_RUNTIME_DIR", dir);
    }
    int qtArgc = 1;
    QApplication app(qtArgc, argv); // a widgets application: the FLOP figure is built with Qt Charts
    configureThreads();
    std::vector<std::string> args(argv + 2, argv + argc);
    try {
        return commands().at(name).first(args);
    } catch (const Cancelled&) {
        std::cerr << "tokenscope " << name << ": cancelled\n";
    } catch (const std::bad_alloc&) {
        std::cerr << "tokenscope " << name << ": out of memory (the request is larger than the memory available)\n";
    } catch (const std::exception& e) {
        // Whatever the message echoes (a file name, a key, a config field), it stays one line.
        std::cerr << "tokenscope " << name << ": " << oneLineMessage(e.what()) << "\n";
    }
    return 1;
}

} // namespace ts::cli
