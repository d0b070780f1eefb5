#pragma once
// The ToMe figure's tokens-per-block plot: the token count after every block (0 = the input) as
// a line with markers, the count without merging as a dashed line, and the block the maps show
// marked by a vertical line and a ring, so the slider's position reads against the whole
// schedule. Axes with round ticks (blocks; tokens in 1-2-5 steps from 0) and titles. Painted in a
// panel the figure layout allotted (ui/figures/figure_layout.h).
#include "ui/figures/figure_layout.h"

#include <QColor>

#include <vector>

class QPainter;

namespace ts {

struct TokenCountPlot {
    std::vector<int> tokens; // per state: 0 = the input, k = after block k
    int current = 0;         // the state the maps show
};

// Colours of the plot's marks (legend entries use them too); readable on white and dark grey.
QColor tokenPlotSeriesColour();
QColor tokenPlotPlainColour();
QColor tokenPlotCurrentColour();

// Tick values, as many as fit the data area: blocks every 1, 2, 3, 4, 6, 12, ... from 0; tokens
// at round values from 0 to the input count.
std::vector<int> tokenPlotBlockTicks(int depth, double width);
std::vector<double> tokenPlotTokenTicks(int maxTokens, double height);

// The panel's title, axis titles and tick labels (their sizes set the space it gets).
PanelSpec tokenCountPanel(const TokenCountPlot& plot);
// The legend entries of the plot: with merging, without, the block shown.
std::vector<LegendEntry> tokenCountLegend(const QString& methodTitle);
// Draws the plot into `panel` (its data rectangle and tick columns).
void paintTokenCountPlot(QPainter& painter, const PanelBoxes& panel, const TokenCountPlot& plot);

} // namespace ts
