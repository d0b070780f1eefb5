#pragma once
// For the lab tests: wait for a panel's run to settle, its current figure as pixels, and a
// session reopened in another window.
#include "ui/figures/figure_export.h"
#include "ui/shell/main_window.h"

#include <QImage>
#include <QtTest>

namespace ts::test {

// Waits for a result other than `before` and no run pending. The labs share one model thread, so
// a run may wait behind another lab's; the first wait is past every panel's debounce, so the run
// a change started has begun.
template <class Panel, class Result>
bool settled(Panel* panel, const Result* before)
{
    QTest::qWait(400);
    return QTest::qWaitFor([&] { return panel->result() && panel->result() != before && !panel->runner()->isRunning(); }, 120000);
}
template <class Panel>
bool settled(Panel* panel)
{
    return settled(panel, static_cast<decltype(panel->result())>(nullptr));
}

// The panel's current figure rendered at its natural size (null before the first result).
template <class Panel>
QImage figurePixels(const Panel* panel)
{
    const auto f = panel->currentFigure();
    return f ? renderFigure(*f).convertToFormat(QImage::Format_RGB32) : QImage();
}

// Opens `session` in `window` (a fresh one) and waits for its `Panel`'s run on the session's
// settings; nullptr (with the reasons in `problems`) when the session did not open cleanly.
template <class Panel>
Panel* reopenedPanel(MainWindow& window, const QString& session, QStringList& problems)
{
    auto* panel = window.findChild<Panel*>();
    const auto* startup = panel->result(); // a run on the startup image, if it has finished
    if (!window.openSession(session, &problems) || !problems.isEmpty())
        return nullptr;
    return settled(panel, startup) ? panel : nullptr;
}

} // namespace ts::test
