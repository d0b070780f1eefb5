#include "ui/flop_panel.h"

#include "core/flops/flop_convention.h"
#include "core/flops/flop_lengths.h"
#include "core/flops/flop_presets.h"
#include "core/util/error.h"
#include "ui/figure_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ts {
namespace {

// Checked at start: the image models of the FIT and ToMe labs, side by side.
const char* const kDefaultPresets[] = {"vit-s16", "vit-b16", "window-vit-b16", "tome-vit-b16", "fit-vit-s16"};
const char* const kModeNames[] = {"curves", "ratio", "breakdown"};

QString exactFlops(double v) { return formatFlopCount(v) + " (" + QString::number(v, 'g', 12) + ")"; }

} // namespace

FlopPanel::FlopPanel(QWidget* parent) : LabPanel(parent)
{
    m_view = new FigureView(this);
    m_view->setMouseTracking(true);
    m_view->installEventFilter(this);
    m_view->setToolTip(tr("Analytic FLOPs. Hover for exact values.\nMeasured points: use `tokenscope flops --measure`."));

    auto* models = new QGroupBox(tr("Models"), this);
    auto* modelsLayout = new QVBoxLayout(models);
    m_presets = new QListWidget(models);
    for (const ArchSpec& spec : flopPresets()) {
        auto* item = new QListWidgetItem(QString::fromStdString(spec.name), m_presets);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        const bool on = std::any_of(std::begin(kDefaultPresets), std::end(kDefaultPresets),
                                    [&](const char* n) { return spec.name == n; });
        item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
        item->setToolTip(QString::fromStdString(spec.summary() + (spec.description.empty() ? "" : "\n" + spec.description)));
    }
    modelsLayout->addWidget(m_presets);

    auto* settings = new QGroupBox(tr("Chart"), this);
    auto* form = new QFormLayout(settings);
    m_lengths = new QLineEdit("1024:1048576:x2", settings);
    m_lengths->setToolTip(tr("A list (1024,4096,16384) or a log range: lo:hi:x2 doubles, lo:hi:n64 gives 64 lengths"));
    form->addRow(tr("Lengths"), m_lengths);
    m_convention = new QComboBox(settings);
    for (const std::string& name : flopConventionPresets()) {
        m_convention->addItem(QString::fromStdString(name), QString::fromStdString(name));
        m_convention->setItemData(m_convention->count() - 1, QString::fromStdString(flopConvention(name).label()),
                                  Qt::ToolTipRole);
    }
    form->addRow(tr("Convention"), m_convention);
    m_mode = new QComboBox(settings);
    m_mode->addItem(tr("Curves (log-log)"));
    m_mode->addItem(tr("Ratio to a baseline"));
    m_mode->addItem(tr("Stacked breakdown of one model"));
    form->addRow(tr("View"), m_mode);
    m_referenceLabel = new QLabel(tr("Baseline"), settings);
    m_reference = new QComboBox(settings);
    form->addRow(m_referenceLabel, m_reference);
    m_byStage = new QCheckBox(tr("Split by stage (local, global, …) instead of part"), settings);
    form->addRow(m_byStage);
    auto* measured = new QLabel(tr("<i>Measured points: use <tt>tokenscope flops --measure</tt></i>"), settings);
    measured->setToolTip(tr("Measured runs build and run each model; they are left to the command line."));
    form->addRow(measured);

    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setStyleSheet("color: #b00000");
    m_readout = new QLabel(this);
    m_readout->setWordWrap(true);
    m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_readout->setMinimumHeight(40);
    m_readout->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    auto* side = new QVBoxLayout;
    side->addWidget(models, 1);
    side->addWidget(settings);
    side->addWidget(m_error);
    auto* chart = new QVBoxLayout;
    chart->addWidget(m_view, 1);
    chart->addWidget(m_readout);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(chart, 1);
    layout->addLayout(side);

    connect(m_presets, &QListWidget::itemChanged, this, &FlopPanel::recompute);
    connect(m_lengths, &QLineEdit::textChanged, this, &FlopPanel::recompute);
    connect(m_convention, &QComboBox::currentIndexChanged, this, &FlopPanel::recompute);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &FlopPanel::refreshView);
    connect(m_reference, &QComboBox::currentIndexChanged, this, &FlopPanel::refreshView);
    connect(m_byStage, &QCheckBox::toggled, this, &FlopPanel::refreshView);
    recompute();
}

QString FlopPanel::errorText() const { return m_error->text(); }
QString FlopPanel::readoutText() const { return m_readout->text(); }

QStringList FlopPanel::checkedPresets() const
{
    QStringList names;
    for (int i = 0; i < m_presets->count(); ++i)
        if (m_presets->item(i)->checkState() == Qt::Checked)
            names << m_presets->item(i)->text();
    return names;
}

void FlopPanel::recompute()
{
    if (m_restoring)
        return;
    try {
        const QStringList names = checkedPresets();
        if (names.isEmpty())
            throw Error("models: check at least one model");
        std::vector<ArchSpec> specs;
        for (const QString& name : names)
            specs.push_back(flopPreset(name.toStdString()));
        const std::vector<long long> lengths = parseLengths(m_lengths->text().trimmed().toStdString());
        const FlopConvention convention = flopConvention(m_convention->currentData().toString().toStdString());
        // Without the FIT optimum search (it scans group sizes per length and costs far more than
        // the curves); currentDataJson adds it, as `tokenscope flops --json` does by default.
        m_report = computeFlopCurves(specs, lengths, convention, false);
        m_lengthsShown = m_lengths->text().trimmed();
        m_error->clear();
    } catch (const std::exception& e) {
        m_error->setText(QString::fromUtf8(e.what())); // the previous chart stays
        return;
    }
    refreshReferenceBox();
    refreshView();
}

void FlopPanel::refreshReferenceBox()
{
    const QString keep = m_reference->currentText();
    const QSignalBlocker block(m_reference);
    m_reference->clear();
    for (const FlopSeries& s : m_report.series)
        m_reference->addItem(QString::fromStdString(s.spec.name));
    const int at = m_reference->findText(keep);
    m_reference->setCurrentIndex(at >= 0 ? at : 0);
}

FlopCurveOptions FlopPanel::options() const
{
    FlopCurveOptions o;
    o.mode = m_mode->currentIndex() == 1 ? FlopChartMode::Ratio
             : m_mode->currentIndex() == 2 ? FlopChartMode::Breakdown
                                           : FlopChartMode::Curves;
    const int ref = std::max(0, m_reference->currentIndex());
    o.baseline = ref;
    o.breakdownSeries = ref;
    o.breakdown = m_byStage->isChecked() ? FlopBreakdownKind::Stages : FlopBreakdownKind::Groups;
    return o;
}

void FlopPanel::refreshView()
{
    const int mode = m_mode->currentIndex();
    m_referenceLabel->setText(mode == 2 ? tr("Model") : tr("Baseline"));
    m_reference->setEnabled(mode != 0);
    m_byStage->setEnabled(mode == 2);
    m_readout->clear();
    if (m_report.series.empty())
        m_view->clear(tr("No models"));
    else
        m_view->setFigure(flopCurveFigure(m_report, options(), commandLine()));
}

QString FlopPanel::commandLine() const
{
    QStringList names;
    for (const FlopSeries& s : m_report.series)
        names << QString::fromStdString(s.spec.name);
    const int mode = std::clamp(m_mode->currentIndex(), 0, 2);
    QString lengths = m_lengthsShown;
    if (lengths.contains(' '))
        lengths = "'" + lengths + "'";
    QString c = QString("tokenscope flops --preset %1 --lengths %2 --convention %3 --mode %4")
                    .arg(names.join(','), lengths, QString::fromStdString(m_report.convention.name()), kModeNames[mode]);
    if (mode == 1)
        c += " --baseline " + m_reference->currentText();
    if (mode == 2)
        c += " --breakdown-model " + m_reference->currentText() + (m_byStage->isChecked() ? " --stages" : "");
    return c;
}

std::optional<Figure> FlopPanel::currentFigure() const { return m_view->figure(); }

QByteArray FlopPanel::currentDataJson() const
{
    if (m_report.series.empty())
        return {};
    std::vector<ArchSpec> specs;
    for (const FlopSeries& s : m_report.series)
        specs.push_back(s.spec);
    std::vector<long long> lengths;
    for (const FlopPoint& p : m_report.series.front().points)
        lengths.push_back(p.length);
    return QByteArray::fromStdString(flopReportJson(computeFlopCurves(specs, lengths, m_report.convention, true)));
}

QString FlopPanel::readoutAt(const QPointF& pos) const
{
    const QRectF box = m_view->figureRect();
    if (m_report.series.empty() || m_report.series.front().points.empty() || box.isEmpty())
        return {};
    // Widget -> figure coordinates, then the plot's x axis as flop_curve_figure.cpp lays it out:
    // the body starts 54 px down, the plot area is the body less 80 px left and 200 px right,
    // and the log axis spans the lengths padded by 3 % of their decades (at least 0.3).
    const QSizeF natural = flopCurveNaturalSize();
    const double fx = (pos.x() - box.left()) * natural.width() / box.width();
    const double fy = (pos.y() - box.top()) * natural.height() / box.height();
    const double left = 80, right = natural.width() - 200;
    if (fx < left - 8 || fx > right + 8 || fy < 54 || fy > natural.height() - 46)
        return {};
    const std::vector<FlopPoint>& pts = m_report.series.front().points;
    const double lo = double(pts.front().length), hi = double(pts.back().length);
    const double pad = 0.03 * std::max(0.3, std::log10(hi / lo));
    double x0 = std::log10(lo) - pad, x1 = std::log10(hi) + pad;
    if (x1 <= x0)
        x1 = x0 + 1;
    const double lx = x0 + (fx - left) / (right - left) * (x1 - x0);
    std::size_t k = 0;
    for (std::size_t i = 1; i < pts.size(); ++i)
        if (std::abs(std::log10(double(pts[i].length)) - lx) < std::abs(std::log10(double(pts[k].length)) - lx))
            k = i;

    const FlopCurveOptions o = options();
    QStringList lines;
    lines << QString("L = %1").arg(pts[k].length);
    if (o.mode == FlopChartMode::Breakdown) {
        const FlopSeries& s = m_report.series[std::size_t(std::clamp(o.breakdownSeries, 0, int(m_report.series.size()) - 1))];
        const FlopBreakdown& b = s.points[k].analytic;
        lines[0] += QString(", %1: %2").arg(QString::fromStdString(s.spec.name), exactFlops(b.total));
        std::vector<std::pair<QString, double>> cats;
        if (o.breakdown == FlopBreakdownKind::Stages)
            for (const auto& [name, v] : b.stages)
                cats.push_back({QString::fromStdString(name), v});
        else
            cats = flopPartGroups(b);
        for (const auto& [name, v] : cats)
            lines << QString("  %1: %2 (%3%)").arg(name, exactFlops(v)).arg(b.total > 0 ? 100 * v / b.total : 0.0, 0, 'f', 1);
        return lines.join('\n');
    }
    const FlopSeries& base = m_report.series[std::size_t(std::clamp(o.baseline, 0, int(m_report.series.size()) - 1))];
    for (const FlopSeries& s : m_report.series) {
        const double v = s.points[k].analytic.total;
        QString line = QString("  %1: %2").arg(QString::fromStdString(s.spec.name), exactFlops(v));
        if (o.mode == FlopChartMode::Ratio && base.points[k].analytic.total > 0)
            line += QString(", x%1 of %2").arg(v / base.points[k].analytic.total, 0, 'g', 5)
                        .arg(QString::fromStdString(base.spec.name));
        lines << line;
    }
    return lines.join('\n');
}

bool FlopPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view && event->type() == QEvent::MouseMove) {
        const auto* me = static_cast<QMouseEvent*>(event);
        const QString text = readoutAt(me->position());
        m_readout->setText(text);
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(me->globalPosition().toPoint(), text, m_view);
    } else if (watched == m_view && event->type() == QEvent::Leave) {
        m_readout->clear();
    }
    return LabPanel::eventFilter(watched, event);
}

QJsonObject FlopPanel::saveState() const
{
    QJsonArray presets;
    for (const QString& name : checkedPresets())
        presets.append(name);
    return {{"presets", presets},
            {"lengths", m_lengths->text()},
            {"convention", m_convention->currentData().toString()},
            {"mode", kModeNames[std::clamp(m_mode->currentIndex(), 0, 2)]},
            {"reference", m_reference->currentText()},
            {"by_stage", m_byStage->isChecked()}};
}

void FlopPanel::restoreState(const QJsonObject& state)
{
    m_restoring = true;
    if (state.contains("presets")) {
        QStringList wanted;
        for (const QJsonValue& v : state.value("presets").toArray())
            wanted << v.toString().toLower();
        for (int i = 0; i < m_presets->count(); ++i)
            m_presets->item(i)->setCheckState(wanted.contains(m_presets->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
    }
    if (state.contains("lengths"))
        m_lengths->setText(state.value("lengths").toString());
    const int conv = m_convention->findData(state.value("convention").toString());
    if (conv >= 0)
        m_convention->setCurrentIndex(conv);
    for (int i = 0; i < 3; ++i)
        if (state.value("mode").toString() == kModeNames[i])
            m_mode->setCurrentIndex(i);
    if (state.contains("by_stage"))
        m_byStage->setChecked(state.value("by_stage").toBool());
    m_restoring = false;
    recompute();
    const int ref = m_reference->findText(state.value("reference").toString());
    if (ref >= 0)
        m_reference->setCurrentIndex(ref);
    refreshView();
}

} // namespace ts
