#include "ui/labs/flops/flop_panel.h"

#include "core/flops/flop_config.h"
#include "core/flops/flop_convention.h"
#include "core/flops/flop_lengths.h"
#include "core/flops/flop_measure.h"
#include "core/settings/recipe_command.h"
#include "core/util/error.h"
#include "core/vit/vit_config.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/flops/flop_chart_settings.h"
#include "ui/labs/flops/flop_chart_view.h"
#include "ui/labs/flops/flop_model_list.h"
#include "ui/labs/flops/flop_readout.h"
#include "ui/shell/workspace.h"
#include "ui/widgets/run_status.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ts {
namespace {

// The file name the command line refers to for custom models (written by Export All beside the
// figures, and its content is in every figure's recipe).
const char* const kCustomModelsFile = kCustomFlopModelsFile;

// Measuring limits offered: powers of two from 256 tokens to 1M, or every length.
const long long kDefaultMeasureLimit = 4096;

} // namespace

FlopPanel::FlopPanel(QWidget* parent) : FlopPanel(nullptr, parent) {}

FlopPanel::FlopPanel(Workspace* workspace, QWidget* parent) : LabPanel(parent), m_workspace(workspace)
{
    m_view = new FlopChartView(this);
    m_runner = new JobRunner(this);
    m_status = new RunStatus(m_runner, this);
    buildControls();
    connectControls();
    if (m_workspace) // the marked token count follows the image's model
        connect(m_workspace, &Workspace::modelSourceChanged, this, &FlopPanel::refreshView);
    recompute();
}

long long FlopPanel::markedLength() const
{
    if (!m_workspace || !m_workspace->modelSource().isRandom())
        return 0; // a checkpoint's patch size is known only once it is loaded
    try {
        VitConfig config = vitPreset(m_workspace->modelSource().preset);
        config.imageSize = m_workspace->modelSource().imageSize;
        return config.numTokens();
    } catch (const std::exception&) {
        return 0;
    }
}

QGroupBox* FlopPanel::buildChartBox()
{
    auto* settings = new QGroupBox(tr("Chart"), this);
    auto* form = new QFormLayout(settings);
    m_lengths = new QLineEdit(QString::fromStdString(FlopSettings().lengths), settings);
    m_lengths->setToolTip(tr("A list (1024,4096,16384) or a log range: lo:hi:x2 doubles, lo:hi:n64 gives 64 lengths"));
    form->addRow(tr("Lengths"), m_lengths);
    // One click to either range: ViT patch counts (224 to 2048 px at patch 16) or long sequences.
    auto* ranges = new QHBoxLayout;
    const std::pair<QString, QString> choices[] = {{tr("ViT: 196–16K"), QString::fromStdString(FlopSettings().lengths)},
                                                   {tr("Long: 1K–1M"), QStringLiteral("1024:1048576:x2")}};
    for (const auto& [label, lengths] : choices) {
        auto* button = new QPushButton(label, settings);
        button->setToolTip(tr("Lengths %1").arg(lengths));
        connect(button, &QPushButton::clicked, this, [this, lengths = lengths] { m_lengths->setText(lengths); });
        ranges->addWidget(button);
        m_rangeButtons.push_back(button);
    }
    form->addRow(QString(), ranges);
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
    return settings;
}

QGroupBox* FlopPanel::buildMeasureBox()
{
    auto* measure = new QGroupBox(tr("Measure here"), this);
    auto* measureLayout = new QFormLayout(measure);
    m_measureLimit = new QComboBox(measure);
    for (long long v = 256; v <= (1LL << 20); v *= 2)
        m_measureLimit->addItem(v >= 1 << 20 ? QString("%1M").arg(v >> 20) : v >= 1024 ? QString("%1K").arg(v >> 10) : QString::number(v), v);
    m_measureLimit->addItem(tr("every length"), 0LL);
    m_measureLimit->setCurrentIndex(m_measureLimit->findData(kDefaultMeasureLimit));
    m_measureLimit->setToolTip(tr("Lengths above this are not run (long runs of big models take minutes)"));
    measureLayout->addRow(tr("Up to length"), m_measureLimit);
    m_measureButton = new QPushButton(tr("Measure"), measure);
    m_measureButton->setToolTip(tr("Run each checked model's own forward pass (seeded random weights) at every shown length up to the "
                                   "limit: measured FLOPs, seconds and peak memory are plotted beside the analytic curves. "
                                   "Lengths whose memory estimate does not fit are marked and not run. (Ctrl+R)"));
    m_clearButton = new QPushButton(tr("Clear"), measure);
    m_clearButton->setToolTip(tr("Forget the measured points"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_measureButton);
    buttons->addWidget(m_clearButton);
    measureLayout->addRow(buttons);
    return measure;
}

void FlopPanel::buildControls()
{
    m_models = new FlopModelList(this);
    QGroupBox* settings = buildChartBox();
    QGroupBox* measure = buildMeasureBox();
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    styleAsErrorText(m_error);
    m_readout = new QLabel;
    m_readout->setWordWrap(true);
    m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_readout->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    // Hovering and measuring never resize the chart: the readout scrolls in a fixed height and
    // the run status keeps one height whatever it says.
    auto* readoutArea = new QScrollArea(this);
    readoutArea->setWidget(m_readout);
    readoutArea->setWidgetResizable(true);
    readoutArea->setFrameShape(QFrame::NoFrame);
    readoutArea->setFixedHeight(5 * fontMetrics().lineSpacing() + 6);
    m_status->setFixedHeight(std::max(m_status->sizeHint().height(), 3 * fontMetrics().lineSpacing() + 4));

    auto* side = new QVBoxLayout;
    side->addWidget(m_models, 1);
    side->addWidget(settings);
    side->addWidget(measure);
    side->addWidget(m_error);
    auto* chart = new QVBoxLayout;
    chart->addWidget(m_view, 1);
    chart->addWidget(readoutArea);
    chart->addWidget(m_status);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(chart, 1);
    layout->addLayout(side);
}

void FlopPanel::connectControls()
{
    connect(m_models, &FlopModelList::changed, this, &FlopPanel::recompute);
    connect(m_models, &FlopModelList::modelRedefined, this, [this](const std::string& name) { m_measurements.forgetModel(name); });
    connect(m_lengths, &QLineEdit::textChanged, this, &FlopPanel::recompute);
    connect(m_convention, &QComboBox::currentIndexChanged, this, &FlopPanel::recompute);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &FlopPanel::refreshView);
    connect(m_reference, &QComboBox::currentIndexChanged, this, &FlopPanel::refreshView);
    connect(m_byStage, &QCheckBox::toggled, this, &FlopPanel::refreshView);
    connect(m_measureButton, &QPushButton::clicked, this, &FlopPanel::startMeasure);
    connect(m_models, &FlopModelList::loadRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load FLOP Models"), {}, tr("FLOP config (*.json)"));
        if (!path.isEmpty())
            loadConfigFile(path);
    });
    connect(m_clearButton, &QPushButton::clicked, this, &FlopPanel::clearMeasurements);
    connect(m_view, &FlopChartView::hovered, this, [this](int index, const QPoint& global) {
        const QString text = readoutForPoint(index);
        m_readout->setText(text);
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(global, text, m_view);
    });
    connect(m_runner, &JobRunner::started, this, [this] { m_measureButton->setEnabled(false); });
    connect(m_runner, &JobRunner::cancelled, this, [this] { m_measureButton->setEnabled(true); });
    connect(m_runner, &JobRunner::finished, this, [this](const JobOutcome& outcome) {
        m_measureButton->setEnabled(true);
        if (!outcome.error.isEmpty())
            return; // shown by RunStatus; the chart keeps what it had
        onMeasured(*std::any_cast<std::shared_ptr<FlopReport>>(outcome.result), outcome.seconds);
    });
}

QString FlopPanel::errorText() const { return m_error->text(); }
QString FlopPanel::readoutText() const { return m_readout->text(); }

QListWidget* FlopPanel::presetList() const { return m_models->list(); }
const std::vector<ArchSpec>& FlopPanel::customModels() const { return m_models->customModels(); }

void FlopPanel::addCustomModels(const std::vector<ArchSpec>& specs, bool check) { m_models->addCustomModels(specs, check); }

void FlopPanel::removeCustomModel(const QString& name) { m_models->removeCustomModel(name.toStdString()); }

bool FlopPanel::loadConfigFile(const QString& path)
{
    try {
        addCustomModels(loadFlopConfig(path.toStdString()));
        m_error->clear();
        return true;
    } catch (const std::exception& e) {
        m_error->setText(QString::fromUtf8(e.what()));
        return false;
    }
}

void FlopPanel::recompute()
{
    if (m_restoring)
        return;
    try {
        const QStringList names = m_models->checkedNames();
        if (names.isEmpty())
            throw Error("models: check at least one model");
        std::vector<ArchSpec> specs;
        for (const QString& name : names)
            specs.push_back(m_models->specFor(name.toStdString()));
        const std::vector<long long> lengths = parseLengths(m_lengths->text().trimmed().toStdString());
        const FlopConvention convention = flopConvention(m_convention->currentData().toString().toStdString());
        // Without the FIT optimum search (it scans group sizes per length and costs far more than
        // the curves); currentDataJson adds it, as `tokenscope flops --json` does by default.
        m_report = computeFlopCurves(specs, lengths, convention, false);
        m_measurements.apply(m_report);
        m_lengthsShown = m_lengths->text().trimmed();
        m_error->clear();
        reportMeasuredShown();
    } catch (const std::exception& e) {
        m_error->setText(QString::fromUtf8(e.what())); // the previous chart stays
        return;
    }
    refreshReferenceBox();
    refreshView();
}

// Measurements are kept per (model, length): say how many the chart shows now, so a status from
// before an edit never claims points that are not drawn.
void FlopPanel::reportMeasuredShown()
{
    if (m_measurements.empty() || m_runner->isRunning())
        return;
    const int shown = FlopMeasurementStore::measuredPoints(m_report);
    const int kept = m_measurements.size() - shown;
    m_status->setMessage(kept > 0 ? tr("%1 measured points shown; %2 more kept for lengths or models not shown now").arg(shown).arg(kept)
                                  : tr("%1 measured points shown").arg(shown));
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
    o.markLength = markedLength();
    o.markLabel = flopMarkLabel(o.markLength);
    return o;
}

void FlopPanel::refreshView()
{
    const int mode = m_mode->currentIndex();
    m_referenceLabel->setText(mode == 2 ? tr("Model") : tr("Baseline"));
    m_reference->setEnabled(mode != 0);
    m_byStage->setEnabled(mode == 2);
    m_readout->clear();
    m_view->setContent(m_report, options());
}

void FlopPanel::startMeasure()
{
    if (m_report.series.empty())
        return;
    FlopReport toMeasure = m_report;
    MeasureOptions mo;
    mo.maxLength = m_measureLimit->currentData().toLongLong();
    // The analytic curves are already there; the job only runs the forward passes.
    m_runner->start([toMeasure, mo](const RunControl& control) mutable -> std::any {
        measureReport(toMeasure, control, mo);
        return std::make_shared<FlopReport>(std::move(toMeasure));
    });
}

void FlopPanel::cancelRun() { m_runner->cancel(); }

void FlopPanel::clearMeasurements()
{
    m_measurements.clear();
    m_measurements.apply(m_report);
    m_status->setMessage({});
    refreshView();
}

void FlopPanel::onMeasured(const FlopReport& measured, double seconds)
{
    const FlopMeasurementStore::Added added = m_measurements.add(measured);
    m_measurements.apply(m_report);
    refreshView();
    QString text = tr("Measured %1 points in %2 s").arg(added.ran).arg(seconds, 0, 'f', 1);
    if (added.tooLarge > 0)
        text += tr("; %1 would not fit in memory (marked, not run)").arg(added.tooLarge);
    if (added.other > 0)
        text += tr("; %1 not run (%2)").arg(added.other).arg(QString::fromStdString(added.firstNote));
    m_status->setMessage(text);
}

FlopSettings FlopPanel::settings() const
{
    FlopChartChoice choice;
    choice.mode = m_mode->currentIndex();
    choice.reference = m_reference->currentText().toStdString();
    choice.byStage = m_byStage->isChecked();
    choice.measureMaxLength = m_measureLimit->currentData().toLongLong();
    choice.lengths = m_lengthsShown.toStdString();
    choice.chartSize = m_view->chartSize();
    choice.markLength = markedLength();
    return flopChartSettings(m_report, *m_models, choice);
}

QString FlopPanel::commandLine() const { return QString::fromStdString(ts::commandLine(recipeArguments(settings()))); }

std::optional<Figure> FlopPanel::currentFigure() const
{
    if (m_report.series.empty())
        return std::nullopt;
    // Laid out at the view's size (in the settings), without the run charts (seconds, memory).
    return flopCurveFigure(m_report, options(), settings());
}

std::vector<std::pair<QString, QByteArray>> FlopPanel::commandInputs() const
{
    const std::vector<ArchSpec> custom = shownCustomModels(m_report, *m_models);
    if (custom.empty())
        return {};
    return {{kCustomModelsFile, FlopModelList::customModelsJson(custom)}};
}

FlopReport FlopPanel::dataReport() const
{
    std::vector<ArchSpec> specs;
    for (const FlopSeries& s : m_report.series)
        specs.push_back(s.spec);
    std::vector<long long> lengths;
    for (const FlopPoint& p : m_report.series.front().points)
        lengths.push_back(p.length);
    // With the FIT optimum search, as `tokenscope flops --json` does by default.
    FlopReport full = computeFlopCurves(specs, lengths, m_report.convention, true);
    m_measurements.apply(full);
    return full;
}

QByteArray FlopPanel::currentDataJson() const
{
    return m_report.series.empty() ? QByteArray() : QByteArray::fromStdString(flopReportJson(dataReport()));
}

QByteArray FlopPanel::currentDataCsv() const
{
    return m_report.series.empty() ? QByteArray() : QByteArray::fromStdString(flopReportCsv(dataReport()));
}

QString FlopPanel::readoutAt(const QPointF& pos) const { return readoutForPoint(m_view->pointAt(pos.toPoint())); }

QString FlopPanel::readoutForPoint(int index) const { return flopReadout(m_report, options(), index); }

} // namespace ts
