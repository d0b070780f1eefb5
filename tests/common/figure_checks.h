#pragma once
// Layout checks for figures (ui/figures/figure_record.h): render a figure or a widget while
// recording, then assert that every text item lies inside the figure, fitted the space allotted
// to it (not clipped), is at least the minimum size, and overlaps no other text, no legend box it
// does not belong to and no data area; and that legend boxes overlap no data. Header-only, for
// any test that links tokenscope_figures.
#include "ui/figures/figure_export.h"
#include "ui/figures/figure_record.h"

#include <QStringList>
#include <QTest>
#include <QWidget>

namespace ts::test {

struct FigureCheckOptions {
    double tolerance = 0.75;     // device pixels two boxes may share (anti-aliased edges)
    double minTextPixels = 11;   // device pixels
    bool textClearOfData = true; // annotations (TextRole::Annotation) are always allowed on data
};

// Renders `figure` at `scale` while recording; `bounds` receives the image's rectangle.
inline FigureRecord recordFigure(const Figure& figure, double scale, QRectF* bounds, QImage* image = nullptr)
{
    FigureRecord record;
    QImage rendered;
    {
        FigureRecording recording(record);
        rendered = renderFigure(figure, scale);
    }
    *bounds = QRectF(QPointF(0, 0), QSizeF(rendered.size()));
    if (image)
        *image = rendered;
    return record;
}

// Paints `widget` into an image while recording (the widget's own paintEvent).
inline FigureRecord recordWidget(QWidget& widget, QRectF* bounds)
{
    FigureRecord record;
    {
        FigureRecording recording(record);
        widget.grab();
    }
    *bounds = QRectF(widget.rect());
    return record;
}

inline QString describe(const PlacedItem& item)
{
    const auto r = item.rect;
    return QStringLiteral("%1 '%2' at (%3, %4, %5 x %6)")
        .arg(item.kind == PlacedKind::Text ? textRoleName(item.role) : item.kind == PlacedKind::Legend ? "legend box" : "data area",
             item.text.left(40))
        .arg(r.x(), 0, 'f', 1).arg(r.y(), 0, 'f', 1).arg(r.width(), 0, 'f', 1).arg(r.height(), 0, 'f', 1);
}

inline bool overlaps(const QRectF& a, const QRectF& b, double tol)
{
    const QRectF i = a.intersected(b);
    return i.width() > tol && i.height() > tol;
}

// Every problem found (empty: the layout is clean).
inline QStringList figureLayoutProblems(const FigureRecord& record, const QRectF& bounds, const FigureCheckOptions& o = {})
{
    QStringList problems;
    const auto texts = record.ofKind(PlacedKind::Text), legends = record.ofKind(PlacedKind::Legend), data = record.ofKind(PlacedKind::Data);
    const QRectF inside = bounds.adjusted(-o.tolerance, -o.tolerance, o.tolerance, o.tolerance);
    for (const PlacedItem& t : texts) {
        if (!inside.contains(t.rect))
            problems << "outside the figure: " + describe(t);
        if (t.clipped)
            problems << "clipped: " + describe(t);
        if (t.fontPixels + 1e-6 < o.minTextPixels)
            problems << QStringLiteral("%1 px text: ").arg(t.fontPixels, 0, 'f', 1) + describe(t);
    }
    for (std::size_t i = 0; i < texts.size(); ++i)
        for (std::size_t j = i + 1; j < texts.size(); ++j)
            if (overlaps(texts[i].rect, texts[j].rect, o.tolerance))
                problems << "overlap: " + describe(texts[i]) + " and " + describe(texts[j]);
    for (const PlacedItem& l : legends) {
        for (const PlacedItem& t : texts)
            if (!l.rect.contains(t.rect) && overlaps(l.rect, t.rect, o.tolerance))
                problems << "legend covers " + describe(t);
        for (const PlacedItem& d : data)
            if (overlaps(l.rect, d.rect, o.tolerance))
                problems << "legend over " + describe(d);
        if (!inside.contains(l.rect))
            problems << "outside the figure: " + describe(l);
    }
    if (o.textClearOfData)
        for (const PlacedItem& t : texts)
            for (const PlacedItem& d : data)
                if (t.role != TextRole::Annotation && overlaps(t.rect, d.rect, o.tolerance))
                    problems << "text on data: " + describe(t) + " over " + describe(d);
    return problems;
}

} // namespace ts::test

// Fails the test with every problem listed; also fails when nothing was recorded (a figure that
// does not draw through the layout layer would otherwise pass).
#define TS_CHECK_FIGURE_LAYOUT(record, bounds, ...)                                                                  \
    do {                                                                                                             \
        const ts::FigureRecord& rec_ = (record);                                                                     \
        if (rec_.ofKind(ts::PlacedKind::Text).empty())                                                               \
            QFAIL("no text recorded: does the figure draw through ui/figures/figure_layout.h?");                     \
        const QStringList problems_ = ts::test::figureLayoutProblems(rec_, (bounds), ##__VA_ARGS__);                 \
        if (!problems_.isEmpty())                                                                                    \
            QFAIL(qPrintable(QString::number(problems_.size()) + " layout problems:\n" + problems_.mid(0, 12).join('\n'))); \
    } while (0)
