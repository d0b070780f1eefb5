#pragma once
// One type scale for every figure of every lab, in logical pixels (a figure pixel; an export at
// scale 2 doubles them with everything else). Text is never below 11 px at scale 1, so a figure
// on the default window (1400x820) and a 1x export stay readable; titles are larger and bold, as
// in a matplotlib figure (suptitle > axes title > labels > ticks). Every figure measures text
// with figureFont(role) and draws it in the same font, so the space allotted is the space used.
#include <QFont>
#include <QString>

namespace ts {

enum class TextRole {
    Title,      // the figure's title row
    PanelTitle, // one title per panel ("FAM 6 ...")
    AxisTitle,  // "query token", "sequence length L"
    TickLabel,  // axis and colour bar tick labels
    Legend,     // legend entries
    Statistic,  // lines under a panel (cost, counts)
    Caption,    // lines under the figure
    Annotation, // text placed inside a data area on purpose (a marker's label)
};

// Pixel sizes of the scale (all >= 11).
struct FigureType {
    int title = 16, panelTitle = 14, axisTitle = 13, tick = 12, legend = 12, statistic = 12, caption = 12,
        annotation = 11;
    int pixels(TextRole role) const;
};

// The type scale every figure uses.
const FigureType& figureType();
// The application's font at the role's pixel size (titles bold).
QFont figureFont(TextRole role);
// "title", "tick label", ...: for test messages.
QString textRoleName(TextRole role);

} // namespace ts
