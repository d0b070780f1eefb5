#pragma once
// The mark a view shows over a figure left from an input that could not be run: "Not updated:
// <reason>", in an amber strip above the figure (which moves down for it), dark text on both
// palettes. The mark is the view's: exports show the figure as its recipe draws it.
#include <QRectF>
#include <QString>

class QPainter;

namespace ts {

// The strip for `reason` at the top of a view `width` pixels wide; empty when `reason` is.
QRectF staleMarkRect(double width, const QString& reason);
QString staleMarkText(const QString& reason);
void paintStaleMark(QPainter& painter, const QRectF& strip, const QString& reason);

} // namespace ts
