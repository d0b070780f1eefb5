#include "app/command_line.h"

#include "core/util/error.h"
#include "core/util/threads.h"

#include <QApplication>
#include <QDir>
#include <QFile>

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

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
                             "--r R --inflection X] [--no-prop-attn] [--size PIXELS] [--mean R,G,B --std R,G,B] [--layer K] [--opacity 0..1] "
                             "[--no-borders] [--select PATCH] --out MAP.png|.svg|.pdf [--json OUT.json]"}},
        {"fit", {runFitCommand, "fit --image IMG [--checkpoint FILE] --group G --latents M --pattern STR [--latent-width D] "
                                "[--latent-heads H] [--autoregressive] [--seed N] [--mean R,G,B --std R,G,B] [--size PIXELS] [--block K] "
                                "[--overlay group:I | latent:I,J] --out OVERLAY.png [--json OUT.json]"}},
        {"mask", {runMask, "mask --kind full|causal|swa|bswa|fam|fit-local|fit-latent-read|fit-global|fit-data-read|fit|fit-ar|tome "
                           "--length L [--window W] [--block B] [--memory S (1)] [--fam F] [--group G --latents M] [--ar] "
                           "[--bidirectional] [--region Q0:Q1,K0:K1] [--pixels N (1024)] [--panel-side N] [--width D (384)] [--compare K2[,K3]] "
                           "[--depth D [--query Q] [--rf-out RF.png]] [tome: --image IMG [--r R] [--layer K]] "
                           "--out MASK.png|.svg|.pdf [--json OUT.json]"}},
        {"fam", {runFamCommand, "fam --image IMG | --stream-length N [--preset P | --checkpoint FILE] [--seed N] --block B "
                                "--memory S --fam F [--no-fam] [--causal | --bidirectional] [--overlay block:I] [--layer K (1-based)] "
                                "--out FILE.png|.svg|.pdf [--json OUT.json]"}},
        {"flops", {runFlops, "flops --preset NAME[,NAME...] | --config FILE.json --lengths 1024:1048576:x2 | --lengths 1024,4096,... "
                             "[--convention default|macs|causal-half|training (joined by +)] [--breakdown [--stages]] [--measure "
                             "[--memory-limit-mib N]] [--mode curves|ratio|breakdown] [--baseline NAME] [--breakdown-model NAME] "
                             "[--csv OUT.csv] [--json OUT.json] [--out PLOT.png|.svg|.pdf [--figure-size WxH]]"}},
        {"bench", {runBench, "bench tome|fit|fam|flops|linear [--json]"}},
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

} // namespace

bool isCommand(int argc, char** argv)
{
    if (argc < 2)
        return false;
    const std::string first = argv[1];
    return commands().count(first) || first == "help" || first == "--help" || first == "-h" || first == "--version";
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
    } catch (const std::exception& e) {
        std::cerr << "tokenscope " << name << ": " << e.what() << "\n";
    }
    return 1;
}

} // namespace ts::cli
