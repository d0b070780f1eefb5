#pragma once
// One panel's geometry for the shared figure layout (figure_layout.h): the space its
// decorations take around the data (tick labels, axis titles, colour bar column, end labels),
// its title and statistics heights at a frame width, and its boxes once the layout has chosen
// where the panel's row starts and how large the shared data size is. Internal to the layout.
#include "ui/figures/figure_layout.h"

namespace ts::layout {

// The font's line height and a text's width in the role's font (rounded up, with a pixel spare).
double lineHeight(TextRole role);
double textWidth(const QString& text, TextRole role);

// Space around a panel's data: left, right, above (end labels) and below (ticks and x title,
// without the statistics, which wrap to the frame width).
struct Margins {
    double left = 0, right = 0, top = 0, bottomFixed = 0;
};
Margins panelMargins(const PanelSpec& spec);

// A panel title and its statistics wrap to the panel's frame width.
double panelTitleHeight(const PanelSpec& spec, double frameWidth);
double statisticsHeight(const PanelSpec& spec, double frameWidth);

// A panel from `left`: its title from `titleTop` (the row's top, so titles in one row share it),
// its data at `dataTop`, then `extra` pixels more width for its text.
PanelBoxes panelBoxes(const PanelSpec& spec, const Margins& m, double left, double titleTop, double dataTop, const QSizeF& data,
                      double extra);

} // namespace ts::layout
