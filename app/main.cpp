// TokenScope: the desktop app, or `tokenscope <command>` on the command line.
#include "app/command_line.h"
#include "core/util/allocator_tuning.h"
#include "core/util/memory_tracker.h"
#include "core/util/threads.h"
#include "ui/shell/main_window.h"
#include "ui/shell/palette_colours.h"

#include <QApplication>
#include <QIcon>

#include <cstdio>

int main(int argc, char** argv)
{
    ts::keepFreedMemoryForReuse(); // before any allocation of note
    ts::MemoryTracker::install();  // before any tensor exists, so every run's peak is measured
    if (ts::cli::isCommand(argc, argv))
        return ts::cli::run(argc, argv);

    QApplication app(argc, argv);
    QApplication::setApplicationName("TokenScope");
    QApplication::setOrganizationName("TokenScope");
    QApplication::setApplicationVersion(TOKENSCOPE_VERSION_STRING);
    QApplication::setWindowIcon(QIcon(":/icons/tokenscope.svg"));
    if (!ts::applyPaletteFromEnvironment())
        std::fprintf(stderr, "tokenscope: TOKENSCOPE_PALETTE must be dark or light; using the system palette\n");
    ts::MainWindow window;
    window.show();
    return app.exec();
}
