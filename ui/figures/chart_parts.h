#pragma once
// What the FLOP lab's charts (ui/figures/flop_charts.h) are built from: a chart styled alike
// for the screen and the export, series attached to its axes, and logarithmic axes. A quantity
// is plotted at its log2 (lengths) or log10 (FLOPs, seconds, bytes, ratios) on a category axis
// whose labels read in plain units ("4K", "10⁹", "100 ms"), which keeps tick labels short and
// exact.
#include <QColor>
#include <QFont>
#include <QRectF>
#include <QScatterSeries>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <functional>
#include <limits>

class QGraphicsScene;
QT_BEGIN_NAMESPACE
class QAbstractAxis;
class QAbstractSeries;
class QCategoryAxis;
class QChart;
QT_END_NAMESPACE

namespace ts::charts {

using Label = std::function<QString(double value)>;

// Tick labels: "4K", "1M"; "10⁹", "2×10⁹"; "250 µs", "100 ms", "2 s"; "512 MB".
QString lengthLabel(double v);
QString flopLabel(double v);
QString secondsLabel(double v);
QString bytesLabel(double v);

QFont pixelFont(int pixels, bool bold = false);

// A chart in the light theme on white, without animation, its legend on the right, added to
// `scene` at `geometry`; title, axis and legend fonts from the figures' type scale
// (ui/figures/figure_type.h). Qt Charts measures its own text and lays the plot area out around
// it, so these charts keep Qt Charts' layout; tests read the placed text back from the scene
// (recordSceneText, ui/figures/figure_record.h).
QChart* newChart(QGraphicsScene& scene, const QString& title, const QRectF& geometry);
// Adds `series` to `chart` on the axes x and y.
void attach(QChart* chart, QAbstractSeries* series, QAbstractAxis* x, QAbstractAxis* y);
void hideFromLegend(QChart* chart, QAbstractSeries* series);
// Hollow markers of `shape` (measured points, runs too large to make).
QScatterSeries* markerSeries(QScatterSeries::MarkerShape shape, const QColor& color, const QString& name);

// A chart title as rich text: `title` in bold, then the subtitle sentences in the statistics'
// size, word-wrapped to `width` (Qt Charts would otherwise elide a long line).
QString chartTitle(const QString& title, const QStringList& subtitle, double width);

// x: log2 of the length, ticks at powers of two (at most about `maxLabels` labelled).
QCategoryAxis* lengthAxis(double lo2, double hi2, int maxLabels = 10);
// y: log10 of a positive quantity; whole decades when the data spans one and a half or more,
// otherwise 1-2-5 (or finer) steps over the padded exact range (ratios, a few close lengths).
QCategoryAxis* logAxis(double lo10, double hi10, const Label& label, const QString& title);

// The range of the (log) values an axis must show.
struct Extent {
    double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
    void add(double v) { lo = std::min(lo, v), hi = std::max(hi, v); }
    bool empty() const { return hi < lo; }
};

} // namespace ts::charts
