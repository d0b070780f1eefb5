#pragma once
// What a figure placed, for tests to read back: every text item (its bounding box, text, role,
// and whether it fitted the space allotted to it), every legend box and every data area, in the
// painter's device coordinates (pixels of the image or widget). Figures draw their text through
// drawFigureText / drawRecordedText, which cost one thread-local pointer test when nothing
// records; a test opens a FigureRecording around a render (tests/common/figure_checks.h) and
// checks that nothing is clipped, outside the figure or overlapping.
#include "ui/figures/figure_type.h"

#include <QRectF>
#include <QString>

#include <vector>

class QPainter;
class QGraphicsScene;

namespace ts {

enum class PlacedKind { Text, Legend, Data };

struct PlacedItem {
    PlacedKind kind = PlacedKind::Text;
    QRectF rect;            // device coordinates
    QString text;           // the text; a legend's or data area's name
    TextRole role = TextRole::TickLabel;
    bool clipped = false;   // the text needed more than its allotted rectangle
    double fontPixels = 0;  // the font's size in device pixels
};

struct FigureRecord {
    std::vector<PlacedItem> items;
    std::vector<PlacedItem> ofKind(PlacedKind kind) const;
};

// While alive, figure items drawn on this thread are appended to `record` (nesting: the inner
// one records).
class FigureRecording {
public:
    explicit FigureRecording(FigureRecord& record);
    ~FigureRecording();
    FigureRecording(const FigureRecording&) = delete;
    FigureRecording& operator=(const FigureRecording&) = delete;

private:
    FigureRecord* m_previous;
};
bool figureRecordingActive();

// Draws `text` in `allotted` with the role's font (figure_type.h; the painter's font is restored)
// and records it; returns the text's bounding box. `flags` as QPainter::drawText.
QRectF drawFigureText(QPainter& painter, const QRectF& allotted, int flags, const QString& text, TextRole role);
// The same in the painter's current font (for painters whose callers chose the size).
QRectF drawRecordedText(QPainter& painter, const QRectF& allotted, int flags, const QString& text, TextRole role);
// The same rotated 90 degrees counter-clockwise (a y axis title), centred in `allotted`, which
// is the tall rectangle the turned text occupies.
QRectF drawFigureTextUp(QPainter& painter, const QRectF& allotted, const QString& text, TextRole role);
// Records a legend box or a data area (plot, raster, image) at `rect` in painter coordinates.
void recordFigureBox(const QPainter& painter, const QRectF& rect, PlacedKind kind, const QString& name);
// Records an item already in device coordinates (for items laid out by someone else).
void recordFigureItem(const PlacedItem& item);
// Records the text items of a QGraphicsScene (Qt Charts titles, axis labels, legend entries) at
// their scene bounding boxes mapped by `sceneToDevice`'s scale and offset; an elided label
// (ending in "...") counts as clipped.
void recordSceneText(const QGraphicsScene& scene, const QRectF& sceneRect, const QRectF& deviceRect);

} // namespace ts
