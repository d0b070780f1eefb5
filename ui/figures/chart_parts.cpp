#include "ui/figures/chart_parts.h"

#include "ui/figures/figure_type.h"

#include <QCategoryAxis>
#include <QChart>
#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QLegendMarker>

#include <cmath>
#include <cstdlib>
#include <vector>

namespace ts::charts {
namespace {

QString superscript(int k)
{
    static const QString digits = QString::fromUtf8("⁰¹²³⁴⁵⁶⁷⁸⁹");
    QString s = k < 0 ? QString::fromUtf8("⁻") : QString();
    for (QChar c : QString::number(std::abs(k)))
        s += digits[c.digitValue()];
    return s;
}

void styleAxis(QCategoryAxis* axis, const QString& title)
{
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis->setTitleText(title);
    axis->setTitleFont(figureFont(TextRole::AxisTitle));
    axis->setLabelsFont(figureFont(TextRole::TickLabel));
    axis->setGridLineColor(QColor(222, 222, 222));
    axis->setLinePenColor(QColor(90, 90, 90));
}

} // namespace

QString lengthLabel(double v)
{
    if (v >= 1 << 20)
        return QString("%1M").arg(v / (1 << 20), 0, 'g', 4);
    if (v >= 1024)
        return QString("%1K").arg(v / 1024, 0, 'g', 4);
    return QString::number(v, 'g', 6);
}

QString flopLabel(double v)
{
    const int k = int(std::floor(std::log10(v) + 1e-9));
    const double m = v / std::pow(10.0, k);
    return std::abs(m - 1) < 1e-6 ? "10" + superscript(k) : QString::number(m, 'g', 2) + QString::fromUtf8("×10") + superscript(k);
}

QString secondsLabel(double v)
{
    if (v < 1e-3)
        return QString::number(v * 1e6, 'g', 3) + QString::fromUtf8(" µs");
    if (v < 1)
        return QString::number(v * 1e3, 'g', 3) + " ms";
    return QString::number(v, 'g', 3) + " s";
}

QString bytesLabel(double v)
{
    const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    int u = 0;
    while (v >= 1000 - 1e-6 && u < 5)
        v /= 1000, ++u;
    return QString::number(v, 'g', 3) + " " + units[u];
}

QFont pixelFont(int pixels, bool bold)
{
    QFont f;
    f.setPixelSize(pixels);
    f.setBold(bold);
    return f;
}

QString chartTitle(const QString& title, const QStringList& subtitle, double width)
{
    // Wrapped a little narrower than the chart: its margins and the title's document margin.
    const double available = std::max(120.0, width - 72);
    const QFontMetricsF metrics(figureFont(TextRole::Statistic));
    QStringList lines;
    QString line;
    for (const QString& word : subtitle.join(' ').split(' ', Qt::SkipEmptyParts)) {
        const QString longer = line.isEmpty() ? word : line + ' ' + word;
        if (!line.isEmpty() && metrics.horizontalAdvance(longer) > available) {
            lines << line.toHtmlEscaped();
            line = word;
        } else {
            line = longer;
        }
    }
    if (!line.isEmpty())
        lines << line.toHtmlEscaped();
    return QString("<b>%1</b><br><span style='font-size:%2px; font-weight:normal'>%3</span>")
        .arg(title.toHtmlEscaped())
        .arg(figureType().statistic)
        .arg(lines.join("<br>"));
}

QChart* newChart(QGraphicsScene& scene, const QString& title, const QRectF& geometry)
{
    auto* chart = new QChart;
    chart->setTheme(QChart::ChartThemeLight); // before any series: the theme restyles them
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setBackgroundRoundness(0);
    chart->setDropShadowEnabled(false);
    chart->setBackgroundBrush(Qt::white);
    chart->setBackgroundPen(Qt::NoPen);
    chart->setMargins(QMargins(4, 4, 8, 4));
    chart->setTitle(title);
    chart->setTitleFont(figureFont(TextRole::PanelTitle));
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    chart->legend()->setFont(figureFont(TextRole::Legend));
    scene.addItem(chart);
    chart->setGeometry(geometry);
    return chart;
}

void attach(QChart* chart, QAbstractSeries* series, QAbstractAxis* x, QAbstractAxis* y)
{
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
}

void hideFromLegend(QChart* chart, QAbstractSeries* series)
{
    for (QLegendMarker* m : chart->legend()->markers(series))
        m->setVisible(false);
}

QScatterSeries* markerSeries(QScatterSeries::MarkerShape shape, const QColor& color, const QString& name)
{
    auto* s = new QScatterSeries;
    s->setName(name);
    s->setMarkerShape(shape);
    s->setMarkerSize(11);
    s->setPen(QPen(color, 1.6));
    s->setBrush(Qt::NoBrush);
    return s;
}

QCategoryAxis* lengthAxis(double lo2, double hi2, int maxLabels)
{
    auto* axis = new QCategoryAxis;
    const double pad = 0.03 * std::max(1.0, hi2 - lo2);
    axis->setRange(lo2 - pad, hi2 + pad);
    const int first = int(std::ceil(lo2 - pad)), last = int(std::floor(hi2 + pad));
    const int step = std::max(1, (last - first) / (maxLabels - 1) + 1);
    axis->setStartValue(lo2 - pad);
    for (int k = first; k <= last; k += step)
        axis->append(lengthLabel(std::pow(2.0, k)), k);
    styleAxis(axis, "sequence length L (data tokens)");
    return axis;
}

QCategoryAxis* logAxis(double lo10, double hi10, const Label& label, const QString& title)
{
    auto* axis = new QCategoryAxis;
    double min = 0, max = 0;
    std::vector<double> ticks;
    if (hi10 - lo10 >= 1.5) {
        min = std::floor(lo10), max = std::ceil(hi10);
        const int step = std::max(1, int(max - min) / 9 + 1);
        for (int k = int(min); k <= int(max); k += step)
            ticks.push_back(k);
        // Headroom: the top label, centred on its tick, stays inside the plot and clear of the title.
        max += 0.05 * (max - min);
    } else {
        const double pad = 0.08 * std::max(0.3, hi10 - lo10);
        min = lo10 - pad, max = hi10 + pad;
        // 1-2-5 steps over half a decade or more, finer mantissas below that.
        const std::vector<double> mantissas = hi10 - lo10 >= 0.5 ? std::vector<double>{1, 2, 5}
                                                                 : std::vector<double>{1, 1.5, 2, 3, 4, 5, 6, 7, 8};
        for (int k = int(std::floor(min)); k <= int(std::ceil(max)); ++k)
            for (double m : mantissas) {
                const double v = k + std::log10(m);
                if (v >= min - 1e-9 && v <= max + 1e-9)
                    ticks.push_back(v);
            }
    }
    axis->setRange(min, max);
    axis->setStartValue(min);
    for (double t : ticks)
        axis->append(label(std::pow(10.0, t)), t);
    styleAxis(axis, title);
    return axis;
}

} // namespace ts::charts
