#pragma once
// The layout the model labs (ToMe, FIT, FAM) share: the figure view on the left, the control groups
// and an information label on the right, the run status underneath; and the debounce timer that
// coalesces control edits into one run.
#include <QString>

#include <initializer_list>

class QLabel;
class QScrollArea;
class QSpinBox;
class QTimer;
class QWidget;

namespace ts {

// A selectable, word-wrapped label for a run's figures (timings, memory, tokens).
QLabel* makeInfoLabel(QWidget* parent);

// `view` in a frameless scroll area that resizes it to the area, but not below the view's minimum
// size: a figure that would shrink below readable scrolls instead (FigureView::setFillMinimum).
QScrollArea* scrollingView(QWidget* view, QWidget* parent);

// Lays out `panel` as described above.
void layOutLab(QWidget* panel, QWidget* view, std::initializer_list<QWidget*> controlGroups, QLabel* info, QWidget* status);

// A spin box over [lo, hi] showing `value`, with `tip` as its tool tip.
QSpinBox* makeSpin(QWidget* parent, int lo, int hi, int value, const QString& tip);

// A single-shot timer of `milliseconds`, to restart on every edit.
QTimer* makeDebounce(QWidget* parent, int milliseconds);

} // namespace ts
