#pragma once
// Figures are documents: exported, they are black on white. On screen the views paint them on the
// palette's base colour and set it as the painter's background, and figure text takes its colour
// from that background, so a dark desktop gets light text while every export stays black on
// white (QImage, SVG and PDF painters start with a white background).
#include <QColor>

class QPainter;

namespace ts {

// True when the painter's background colour is dark (lightness below half).
bool figureOnDark(const QPainter& painter);
// Main text and marks: black on light, near-white on dark.
QColor figureInk(const QPainter& painter);
// Secondary text (captions, axis notes): dark grey on light, light grey on dark.
QColor figureSubtleInk(const QPainter& painter);
// A quiet panel behind bars or tracks: `light` grey on light backgrounds, its mirror (255 - light,
// lifted a little from the background) on dark ones.
QColor figurePanelFill(const QPainter& painter, int light);

// One colour per token-reduction method in a figure (tab10's blue, red, green, purple; repeating),
// the same in the Compare and the Evaluate figures; readable on light and dark backgrounds.
QColor methodColour(int index);

// Heat maps: matplotlib's viridis (van der Walt & Smith), perceptually uniform and readable in
// grey and by colour-blind readers, `t` in 0..1 (clamped), dark violet to yellow. The same colours
// on light and dark backgrounds, so a map reads the same on screen and exported.
QColor viridisColour(double t);

} // namespace ts
