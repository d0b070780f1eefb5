#pragma once
// For tests that look at one lab inside the real main window: the window shown at a size (the
// default 1400x820, the smallest supported 1000x700) with that lab's tab current.
#include "ui/shell/main_window.h"

#include <QSize>
#include <QTabWidget>
#include <QTest>

namespace ts::test {

// The lab's panel, its tab current and the window exposed at `size`; nullptr if it never was.
template <class Panel>
Panel* showLab(MainWindow& window, const QSize& size)
{
    auto* panel = window.findChild<Panel*>();
    if (!panel)
        return nullptr;
    window.tabs()->setCurrentWidget(panel);
    window.resize(size);
    window.show();
    return QTest::qWaitForWindowExposed(&window) ? panel : nullptr;
}

} // namespace ts::test
