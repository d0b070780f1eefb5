#pragma once
// Colours for on-screen chrome that the palette has no role for (error text), chosen from the
// window colour so they read on a light or a dark desktop, and kept right when the application
// palette changes.
#include <QColor>

class QLabel;
class QStyle;
class QPalette;

namespace ts {

// Red readable on the palette's window colour: deep red on light windows, salmon on dark ones.
QColor errorTextColour(const QPalette& palette);
// Shows `label` in errorTextColour, updated whenever the application palette changes.
void styleAsErrorText(QLabel* label);
// A complete dark or light palette for the Fusion style, for TOKENSCOPE_PALETTE=dark|light: Qt 6.4
// on Linux follows a dark desktop only through a platform theme, which many sessions lack.
QPalette fusionPalette(bool dark);
// The Fusion style with check-box indicators (check boxes and checkable list items) framed in
// the text colour on dark windows: Fusion outlines them with the window colour darkened, so on
// a dark palette an unchecked box could not be seen. The caller owns the style.
QStyle* fusionStyleWithVisibleIndicators();
// Applies TOKENSCOPE_PALETTE (dark or light; Fusion style) when set; returns false for another value.
bool applyPaletteFromEnvironment();
// WCAG 2 contrast ratio of two colours (1 to 21).
double contrastRatio(const QColor& a, const QColor& b);

} // namespace ts
