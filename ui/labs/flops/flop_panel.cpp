#include "ui/labs/flops/flop_panel.h"

#include "core/flops/flop_config.h"
#include "core/flops/flop_convention.h"
#include "core/flops/flop_lengths.h"
#include "core/flops/flop_measure.h"
#include "core/flops/flop_presets.h"
#include "core/settings/recipe_command.h"
#include "core/util/error.h"
#include "ui/labs/flops/flop_chart_view.h"
#include "ui/labs/flops/flop_model_editor.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/run_status.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QJsonDocument>
#include <QPushButton>
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

// The file name the command line refers to for custom models (written by Export All beside the
// figures, and its content is in every figure's recipe).
const char* const kCustomModelsFile = kCustomFlopModelsFile;

// Measuring limits offered: powers of two from 256 tokens to 1M, or every length.
const long long kDefaultMeasureLimit = 4096;

QString mib(long long bytes) { return QString::number(double(bytes) / (1 << 20), 'f', 1) + " MiB"; }

} // namespace

FlopPanel::FlopPanel(QWidget* parent) : LabPanel(parent)
{
    m_view = new FlopChartView(this);
    m_runner = new JobRunner(this);
    m_status = new RunStatus(m_runner, this);

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
    m_editButton = new QPushButton(tr("Edit…"), models);
    m_editButton->setToolTip(tr("Edit the selected model's sizes into a custom model"));
    m_loadButton = new QPushButton(tr("Load…"), models);
    m_loadButton->setToolTip(tr("Add the models of a FLOP config file (README, \"FLOP config files\")"));
    m_removeButton = new QPushButton(tr("Remove"), models);
    m_removeButton->setToolTip(tr("Remove the selected custom model"));
    m_removeButton->setEnabled(false);
    auto* modelButtons = new QHBoxLayout;
    modelButtons->addWidget(m_editButton);
    modelButtons->addWidget(m_loadButton);
    modelButtons->addWidget(m_removeButton);
    modelsLayout->addLayout(modelButtons);

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

    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    styleAsErrorText(m_error);
    m_readout = new QLabel(this);
    m_readout->setWordWrap(true);
    m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_readout->setMinimumHeight(40);
    m_readout->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    auto* side = new QVBoxLayout;
    side->addWidget(models, 1);
    side->addWidget(settings);
    side->addWidget(measure);
    side->addWidget(m_error);
    auto* chart = new QVBoxLayout;
    chart->addWidget(m_view, 1);
    chart->addWidget(m_readout);
    chart->addWidget(m_status);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(chart, 1);
    layout->addLayout(side);

    connect(m_presets, &QListWidget::itemChanged, this, &FlopPanel::recompute);
    connect(m_lengths, &QLineEdit::textChanged, this, &FlopPanel::recompute);
    connect(m_convention, &QComboBox::currentIndexChanged, this, &FlopPanel::recompute);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &FlopPanel::refreshView);
    connect(m_reference, &QComboBox::currentIndexChanged, this, &FlopPanel::refreshView);
    connect(m_byStage, &QCheckBox::toggled, this, &FlopPanel::refreshView);
    connect(m_measureButton, &QPushButton::clicked, this, &FlopPanel::startMeasure);
    connect(m_presets, &QListWidget::currentRowChanged, this, [this](int row) {
        m_removeButton->setEnabled(row >= 0 && isCustom(m_presets->item(row)->text()));
    });
    connect(m_presets, &QListWidget::itemDoubleClicked, this, [this] { editSelectedModel(); });
    connect(m_editButton, &QPushButton::clicked, this, &FlopPanel::editSelectedModel);
    connect(m_removeButton, &QPushButton::clicked, this, [this] {
        if (m_presets->currentItem())
            removeCustomModel(m_presets->currentItem()->text());
    });
    connect(m_loadButton, &QPushButton::clicked, this, [this] {
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

bool FlopPanel::isCustom(const QString& name) const
{
    return std::any_of(m_custom.begin(), m_custom.end(), [&](const ArchSpec& s) { return s.name == name.toStdString(); });
}

ArchSpec FlopPanel::specFor(const std::string& name) const
{
    for (const ArchSpec& s : m_custom)
        if (s.name == name)
            return s;
    return flopPreset(name);
}

bool FlopPanel::nameTaken(const std::string& name) const
{
    for (int i = 0; i < m_presets->count(); ++i)
        if (m_presets->item(i)->text().toStdString() == name)
            return true;
    return false;
}

void FlopPanel::addCustomModels(const std::vector<ArchSpec>& specs, bool check)
{
    for (const ArchSpec& spec : specs) {
        const QString name = QString::fromStdString(spec.name);
        for (const ArchSpec& preset : flopPresets())
            if (preset.name == spec.name)
                throw Error("models: '" + spec.name + "' is a preset's name; give the custom model another name");
        auto it = std::find_if(m_custom.begin(), m_custom.end(), [&](const ArchSpec& s) { return s.name == spec.name; });
        QListWidgetItem* item = nullptr;
        if (it != m_custom.end()) { // the same name again (a reloaded file): replace it
            *it = spec;
            item = m_presets->findItems(name, Qt::MatchExactly).value(0);
        } else {
            m_custom.push_back(spec);
            const QSignalBlocker block(m_presets);
            item = new QListWidgetItem(name, m_presets);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            QFont italic = item->font();
            italic.setItalic(true);
            item->setFont(italic);
        }
        if (!item)
            continue;
        const QSignalBlocker block(m_presets);
        item->setToolTip(tr("custom model\n") + QString::fromStdString(spec.summary()));
        item->setCheckState(check ? Qt::Checked : item->checkState());
        // Measurements of an earlier model of this name no longer apply.
        for (auto m = m_measurements.begin(); m != m_measurements.end();)
            m = m->first.first == spec.name ? m_measurements.erase(m) : std::next(m);
    }
    recompute();
}

void FlopPanel::removeCustomModel(const QString& name)
{
    const auto it = std::find_if(m_custom.begin(), m_custom.end(), [&](const ArchSpec& s) { return s.name == name.toStdString(); });
    if (it == m_custom.end())
        return;
    m_custom.erase(it);
    delete m_presets->findItems(name, Qt::MatchExactly).value(0);
    recompute();
}

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

void FlopPanel::editSelectedModel()
{
    QListWidgetItem* item = m_presets->currentItem();
    if (!item)
        item = m_presets->item(0);
    const ArchSpec start = specFor(item->text().toStdString());
    const bool custom = isCustom(item->text());
    // Editing a custom model may keep its name; any other name must be free.
    FlopModelEditor editor(start, [this, custom, start](const std::string& name) { return !(custom && name == start.name) && nameTaken(name); },
                           this);
    if (editor.exec() != QDialog::Accepted || !editor.isValid())
        return;
    if (custom && editor.spec().name != start.name)
        removeCustomModel(QString::fromStdString(start.name));
    addCustomModels({editor.spec()});
}

std::vector<ArchSpec> FlopPanel::shownCustomModels() const
{
    std::vector<ArchSpec> out;
    for (const FlopSeries& s : m_report.series)
        if (isCustom(QString::fromStdString(s.spec.name)))
            out.push_back(s.spec);
    return out;
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
            specs.push_back(specFor(name.toStdString()));
        const std::vector<long long> lengths = parseLengths(m_lengths->text().trimmed().toStdString());
        const FlopConvention convention = flopConvention(m_convention->currentData().toString().toStdString());
        // Without the FIT optimum search (it scans group sizes per length and costs far more than
        // the curves); currentDataJson adds it, as `tokenscope flops --json` does by default.
        m_report = computeFlopCurves(specs, lengths, convention, false);
        applyMeasurements(m_report);
        m_lengthsShown = m_lengths->text().trimmed();
        m_error->clear();
        // Measurements are kept per (model, length): say how many the chart shows now, so a
        // status from before an edit never claims points that are not drawn.
        if (!m_measurements.empty() && !m_runner->isRunning()) {
            int shown = 0;
            for (const FlopSeries& series : m_report.series)
                for (const FlopPoint& p : series.points)
                    shown += p.measured.status != MeasureStatus::NotRequested;
            const int kept = static_cast<int>(m_measurements.size()) - shown;
            m_status->setMessage(kept > 0 ? tr("%1 measured points shown; %2 more kept for lengths or models not shown now").arg(shown).arg(kept)
                                          : tr("%1 measured points shown").arg(shown));
        }
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
    m_view->setContent(m_report, options());
}

void FlopPanel::applyMeasurements(FlopReport& report) const
{
    for (FlopSeries& s : report.series)
        for (FlopPoint& p : s.points) {
            const auto it = m_measurements.find({s.spec.name, p.length});
            p.measured = it != m_measurements.end() ? it->second : FlopMeasurement{};
        }
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
    applyMeasurements(m_report);
    m_status->setMessage({});
    refreshView();
}

void FlopPanel::onMeasured(const FlopReport& measured, double seconds)
{
    int ran = 0, tooLarge = 0, other = 0;
    QString firstNote;
    for (const FlopSeries& s : measured.series)
        for (const FlopPoint& p : s.points) {
            if (p.measured.status == MeasureStatus::NotRequested)
                continue;
            m_measurements[{s.spec.name, p.length}] = p.measured;
            if (p.measured.status == MeasureStatus::Ran)
                ++ran;
            else if (p.measured.status == MeasureStatus::TooLarge)
                ++tooLarge;
            else if (++other == 1)
                firstNote = QString::fromStdString(s.spec.name + " at " + std::to_string(p.length) + ": " + p.measured.note);
        }
    applyMeasurements(m_report);
    refreshView();
    QString text = tr("Measured %1 points in %2 s").arg(ran).arg(seconds, 0, 'f', 1);
    if (tooLarge > 0)
        text += tr("; %1 would not fit in memory (marked, not run)").arg(tooLarge);
    if (other > 0)
        text += tr("; %1 not run (%2)").arg(other).arg(firstNote);
    m_status->setMessage(text);
}

FlopSettings FlopPanel::settings() const
{
    FlopSettings s;
    s.presets.clear();
    for (const FlopSeries& series : m_report.series) {
        if (isCustom(QString::fromStdString(series.spec.name)))
            s.customModels.push_back(series.spec.name);
        else
            s.presets.push_back(series.spec.name);
    }
    const std::vector<ArchSpec> custom = shownCustomModels();
    if (!custom.empty())
        s.customModelsJson = customModelsJson(custom).toStdString();
    s.lengths = m_lengthsShown.toStdString();
    s.convention = m_report.convention.name();
    s.mode = kModeNames[std::clamp(m_mode->currentIndex(), 0, 2)];
    s.reference = s.mode == "curves" ? std::string() : m_reference->currentText().toStdString();
    s.byStage = m_byStage->isChecked();
    bool measured = false;
    for (const FlopSeries& series : m_report.series)
        for (const FlopPoint& p : series.points)
            measured = measured || p.measured.status != MeasureStatus::NotRequested;
    s.measure = measured;
    s.measureMaxLength = m_measureLimit->currentData().toLongLong();
    const QSizeF size = m_view->chartSize();
    s.figureWidth = static_cast<int>(std::lround(size.width()));
    s.figureHeight = static_cast<int>(std::lround(size.height()));
    return s;
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
    const std::vector<ArchSpec> custom = shownCustomModels();
    if (custom.empty())
        return {};
    return {{kCustomModelsFile, customModelsJson(custom)}};
}

QByteArray FlopPanel::customModelsJson(const std::vector<ArchSpec>& specs)
{
    nlohmann::json models = nlohmann::json::array();
    for (const ArchSpec& s : specs)
        models.push_back(archSpecToJson(s));
    return QByteArray::fromStdString(nlohmann::json{{"models", models}}.dump(2));
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
    applyMeasurements(full);
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

QString FlopPanel::readoutForPoint(int index) const
{
    if (index < 0 || m_report.series.empty() || index >= int(m_report.series.front().points.size()))
        return {};
    const std::vector<FlopPoint>& pts = m_report.series.front().points;
    const std::size_t k = std::size_t(index);
    const FlopCurveOptions o = options();
    QStringList lines;
    lines << QString("L = %1").arg(pts[k].length);
    if (o.mode == FlopChartMode::Breakdown) {
        const FlopSeries& s = m_report.series[std::size_t(std::clamp(o.breakdownSeries, 0, int(m_report.series.size()) - 1))];
        const FlopBreakdown& b = s.points[k].analytic;
        lines[0] += QString(", %1: %2").arg(QString::fromStdString(s.spec.name), exactFlops(b.total));
        const std::vector<std::pair<QString, double>> cats = flopBreakdownCategories(b, o.breakdown);
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
        const FlopMeasurement& m = s.points[k].measured;
        if (m.status == MeasureStatus::Ran)
            line += QString("; measured %1 (%2%3%), %4 s, peak %5")
                        .arg(formatFlopCount(m.flops * m_report.convention.scale()))
                        .arg(m.relativeError() >= 0 ? "+" : "")
                        .arg(100 * m.relativeError(), 0, 'f', 3)
                        .arg(m.seconds, 0, 'f', 3)
                        .arg(mib(m.peakMemoryBytes));
        else if (m.status == MeasureStatus::TooLarge)
            line += QString("; not run: needs ~%1 (%2)").arg(mib(m.estimatedMemoryBytes), QString::fromStdString(m.note));
        else if (m.status != MeasureStatus::NotRequested)
            line += QString("; %1: %2").arg(measureStatusName(m.status), QString::fromStdString(m.note));
        lines << line;
    }
    return lines.join('\n');
}

QByteArray FlopPanel::measuredJson() const
{
    // Every measured point, shown or not: measurements at lengths the chart no longer lists are
    // kept (and shown again when those lengths are), never dropped. In the default convention,
    // as they are held.
    std::map<std::string, std::vector<long long>> lengths;
    for (const auto& [key, m] : m_measurements)
        lengths[key.first].push_back(key.second);
    FlopReport kept;
    kept.convention = flopConvention("default");
    for (const auto& [name, list] : lengths) {
        ArchSpec spec;
        try {
            spec = specFor(name);
        } catch (const std::exception&) {
            continue; // a custom model that was removed: its points went with it
        }
        FlopReport one = computeFlopCurves({spec}, list, kept.convention, false);
        applyMeasurements(one);
        kept.series.push_back(std::move(one.series.front()));
    }
    return QByteArray::fromStdString(flopReportJson(kept));
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
            {"by_stage", m_byStage->isChecked()},
            {"measure_max_length", m_measureLimit->currentData().toLongLong()},
            {"custom_models", m_custom.empty() ? QJsonValue() : QJsonDocument::fromJson(customModelsJson(m_custom)).object().value("models")},
            // The measured points, as `tokenscope flops --json` writes them, so a reopened session
            // shows them without running again.
            {"measured", m_measurements.empty() ? QJsonValue() : QJsonValue(QJsonDocument::fromJson(measuredJson()).object())}};
}

QStringList FlopPanel::restoreState(const QJsonObject& state)
{
    QStringList problems;
    m_restoring = true;
    while (!m_custom.empty()) // a session holds the whole list
        removeCustomModel(QString::fromStdString(m_custom.back().name));
    if (state.value("custom_models").isArray()) {
        try {
            const QByteArray text = QJsonDocument(state.value("custom_models").toArray()).toJson(QJsonDocument::Compact);
            addCustomModels(parseFlopConfig(text.toStdString(), "session custom_models"), false);
        } catch (const std::exception& e) {
            m_error->setText(tr("Custom models not restored: %1").arg(QString::fromUtf8(e.what())));
            problems << tr("FLOPs: custom models not restored: %1").arg(QString::fromUtf8(e.what()));
        }
    }
    if (state.contains("presets")) {
        QStringList wanted;
        for (const QJsonValue& v : state.value("presets").toArray())
            wanted << v.toString().toLower();
        for (const QString& name : wanted)
            if (m_presets->findItems(name, Qt::MatchExactly).isEmpty())
                problems << tr("FLOPs: the model '%1' is not known here; left out").arg(name);
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
    const int limit = m_measureLimit->findData(state.value("measure_max_length").toVariant().toLongLong());
    if (state.contains("measure_max_length") && limit >= 0)
        m_measureLimit->setCurrentIndex(limit);
    m_measurements.clear();
    if (state.value("measured").isObject()) {
        try {
            const FlopReport saved = flopReportFromJson(
                QJsonDocument(state.value("measured").toObject()).toJson(QJsonDocument::Compact).toStdString());
            for (const FlopSeries& s : saved.series)
                for (const FlopPoint& p : s.points)
                    if (p.measured.status != MeasureStatus::NotRequested)
                        m_measurements[{s.spec.name, p.length}] = p.measured;
        } catch (const std::exception& e) {
            m_status->setMessage(tr("Measured points not restored: %1").arg(QString::fromUtf8(e.what())));
            problems << tr("FLOPs: measured points not restored: %1").arg(QString::fromUtf8(e.what()));
        }
    }
    m_restoring = false;
    recompute();
    const int ref = m_reference->findText(state.value("reference").toString());
    if (ref >= 0)
        m_reference->setCurrentIndex(ref);
    refreshView();
    return problems;
}

} // namespace ts
