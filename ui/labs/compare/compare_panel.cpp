#include "ui/labs/compare/compare_panel.h"

#include "core/reduction/compare_api.h"
#include "ui/figures/compare_figure.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/compare/compare_table.h"
#include "ui/labs/compare/compare_view.h"
#include "ui/shell/settings_state.h"
#include "ui/shell/workspace.h"
#include "ui/widgets/lab_layout.h"
#include "ui/widgets/run_status.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSlider>
#include <QSplitter>
#include <QTimer>

#include <cmath>

namespace ts {
namespace {

constexpr ReductionMethod kMethods[] = {ReductionMethod::ToMe, ReductionMethod::PiToMe, ReductionMethod::Atc, ReductionMethod::EVit};

} // namespace

ComparePanel::ComparePanel(Workspace* workspace, QWidget* parent) : LabPanel(parent), m_workspace(workspace)
{
    m_runner = new JobRunner(this);
    m_view = new CompareView(this);
    m_view->clear(tr("Running the methods at one budget…"));
    m_viewArea = scrollingView(m_view, this); // below its minimum the figure scrolls instead of shrinking
    m_table = new CompareTable(this);
    auto* views = new QSplitter(Qt::Vertical, this);
    views->addWidget(m_viewArea);
    views->addWidget(m_table);
    views->setStretchFactor(0, 1);
    views->setChildrenCollapsible(false);

    QGroupBox* methods = buildMethodControls();
    QGroupBox* budget = buildBudgetControls();
    QGroupBox* display = buildDisplayControls();
    m_info = makeInfoLabel(this);
    m_status = new RunStatus(m_runner, this);
    layOutLab(this, views, {methods, budget, display}, m_info, m_status);
    connectControls();
    refreshBudgetLabel();
    scheduleRun();
}

ComparePanel::~ComparePanel() = default;

// A check box per method (two to four), and the parameters of the methods that have them.
QGroupBox* ComparePanel::buildMethodControls()
{
    auto* group = new QGroupBox(tr("Methods"), this);
    auto* form = new QFormLayout(group);
    auto* boxes = new QGridLayout;
    for (int i = 0; i < 4; ++i) {
        m_methodBoxes[i] = new QCheckBox(QString::fromUtf8(reductionMethodTitle(kMethods[i])), group);
        m_methodBoxes[i]->setChecked(true);
        boxes->addWidget(m_methodBoxes[i], i / 2, i % 2);
    }
    form->addRow(boxes);
    m_margin = new QDoubleSpinBox(group);
    m_margin->setRange(-1, 1);
    m_margin->setDecimals(3);
    m_margin->setSingleStep(0.05);
    m_margin->setValue(0.9);
    m_margin->setToolTip(tr("PiToMe's margin m0 (m = m0 - m0·l/L at block l of L)"));
    form->addRow(tr("PiToMe margin"), m_margin);
    m_linkage = new QComboBox(group);
    for (Linkage l : {Linkage::Single, Linkage::Complete, Linkage::Average})
        m_linkage->addItem(QString::fromUtf8(linkageName(l)), static_cast<int>(l));
    m_linkage->setCurrentIndex(2);
    form->addRow(tr("ATC linkage"), m_linkage);
    m_evitLayers = new QLineEdit(group);
    m_evitLayers->setPlaceholderText(tr("4,7,10 of 12 (the paper's)"));
    m_evitLayers->setToolTip(tr("EViT: the blocks that prune (1-based, comma-separated)"));
    form->addRow(tr("EViT layers"), m_evitLayers);
    return group;
}

// One budget for every method: a share of the unreduced model's FLOPs, shown in GFLOPs.
QGroupBox* ComparePanel::buildBudgetControls()
{
    auto* group = new QGroupBox(tr("Budget"), this);
    auto* form = new QFormLayout(group);
    m_budget = new QSlider(Qt::Horizontal, group);
    m_budget->setRange(50, 1000);
    m_budget->setValue(600);
    m_budget->setToolTip(tr("The FLOP budget every method's schedule is solved for (within 1% where it can reach it)"));
    form->addRow(tr("GFLOPs"), m_budget);
    m_budgetLabel = new QLabel(group);
    form->addRow(m_budgetLabel);
    return group;
}

QGroupBox* ComparePanel::buildDisplayControls()
{
    auto* group = new QGroupBox(tr("Display"), this);
    auto* form = new QFormLayout(group);
    m_layer = new QSlider(Qt::Horizontal, group);
    m_layer->setRange(0, 12);
    m_layer->setValue(12);
    m_layer->setToolTip(tr("The block after which every map is shown (no new run). Keys [ and ] step."));
    m_layerLabel = new QLabel(group);
    auto* row = new QHBoxLayout;
    row->addWidget(m_layer, 1);
    row->addWidget(m_layerLabel);
    form->addRow(tr("After block"), row);
    return group;
}

void ComparePanel::connectControls()
{
    m_debounce = makeDebounce(this, 200);
    connect(m_debounce, &QTimer::timeout, this, &ComparePanel::runNow);
    for (QCheckBox* box : m_methodBoxes)
        connect(box, &QCheckBox::toggled, this, [this, box] { onMethodToggled(box); });
    connect(m_margin, &QDoubleSpinBox::valueChanged, this, &ComparePanel::scheduleRun);
    connect(m_linkage, &QComboBox::currentIndexChanged, this, &ComparePanel::scheduleRun);
    connect(m_evitLayers, &QLineEdit::editingFinished, this, &ComparePanel::scheduleRun);
    connect(m_budget, &QSlider::valueChanged, this, [this] {
        refreshBudgetLabel();
        scheduleRun();
    });
    connect(m_layer, &QSlider::valueChanged, this, &ComparePanel::refreshView);
    connect(m_view, &CompareView::patchClicked, this, [this](int patch) {
        m_selectedPatch = patch == m_selectedPatch ? -1 : patch; // a second click clears
        refreshView();
    });
    connect(m_workspace, &Workspace::imageChanged, this, &ComparePanel::scheduleRun);
    connect(m_workspace, &Workspace::modelSourceChanged, this, [this] {
        m_plainFlops = 0; // until the new model's run says
        refreshBudgetLabel();
        scheduleRun();
    });
    connect(m_runner, &JobRunner::finished, this, [this](const JobOutcome& outcome) {
        if (!outcome.error.isEmpty())
            return; // RunStatus shows it; the previous figure stays
        onResult(std::any_cast<std::shared_ptr<CompareResult>>(outcome.result));
    });
}

// At least two methods stay checked (a comparison); each method's parameter follows its box.
void ComparePanel::onMethodToggled(QCheckBox* box)
{
    int checked = 0;
    for (QCheckBox* b : m_methodBoxes)
        checked += b->isChecked() ? 1 : 0;
    if (checked < 2) {
        const QSignalBlocker block(box);
        box->setChecked(true);
        m_status->setMessage(tr("Compare at least two methods."));
        return;
    }
    m_margin->setEnabled(methodBox(ReductionMethod::PiToMe)->isChecked());
    m_linkage->setEnabled(methodBox(ReductionMethod::Atc)->isChecked());
    m_evitLayers->setEnabled(methodBox(ReductionMethod::EVit)->isChecked());
    scheduleRun();
}

void ComparePanel::scheduleRun()
{
    if (!isVisible()) { // hidden: run when first shown (not at start-up, not for every change)
        m_runWhenShown = true;
        return;
    }
    m_debounce->start();
}

void ComparePanel::showEvent(QShowEvent* event)
{
    LabPanel::showEvent(event);
    if (m_runWhenShown) {
        m_runWhenShown = false;
        m_debounce->start();
    }
}

void ComparePanel::runNow()
{
    m_debounce->stop();
    if (m_workspace->imageRgb().empty())
        return;
    m_runSettings = settings();
    const CompareSettings s = m_runSettings;
    const cv::Mat image = m_workspace->imageRgb();
    m_runner->start([s, image](const RunControl& control) -> std::any {
        CompareRequest request;
        request.model = cachedVit(s.model.source, &control);
        request.imageRgb = image;
        request.normalisation = s.model.normalisation;
        request.methods = reductionOptionsOf(s);
        request.targetFlops = compareTargetFlops(s, vitConfigOf(*request.model));
        return std::make_shared<CompareResult>(runCompare(request, control));
    });
}

void ComparePanel::cancelRun() { m_runner->cancel(); }

void ComparePanel::stepLayer(int delta) { m_layer->setValue(m_layer->value() + delta); }

void ComparePanel::onResult(std::shared_ptr<CompareResult> result)
{
    const bool wasAtEnd = !m_result || m_layer->value() == m_layer->maximum();
    m_result = std::move(result);
    m_resultSettings = m_runSettings;
    m_plainFlops = m_result->methods.front().budget.plainFlops;
    const int depth = m_result->plain.depth();
    if (m_selectedPatch >= m_result->plain.grid * m_result->plain.grid)
        m_selectedPatch = -1;
    {
        const QSignalBlocker block(m_layer);
        m_layer->setRange(0, depth);
        if (m_pendingLayer >= 0)
            m_layer->setValue(std::min(m_pendingLayer, depth));
        else if (wasAtEnd)
            m_layer->setValue(depth);
        m_pendingLayer = -1;
    }
    m_table->setResult(*m_result);
    m_status->setMessage(tr("%1 methods at %2 GFLOPs; unreduced %3 ms").arg(m_result->methods.size())
                             .arg(m_result->methods.front().budget.target / 1e9, 0, 'f', 2)
                             .arg(m_result->plain.secondsMerged * 1e3, 0, 'f', 0));
    refreshBudgetLabel();
    refreshView();
}

void ComparePanel::refreshView()
{
    if (!m_result)
        return;
    m_layerLabel->setText(QString("%1 / %2").arg(m_layer->value()).arg(m_result->plain.depth()));
    const std::optional<Figure> f = currentFigure();
    const CompareSettings shown = settings();
    m_view->setCompare(*f, compareData(*m_result, shown.layer, shown.selectedPatch));
    // The view lays the figure out at its size (text at the type scale); below this the maps would
    // be too small to read, so the area scrolls instead.
    m_view->setMinimumSize((f->size * 0.6).toSize());
    refreshInfo();
}

void ComparePanel::refreshBudgetLabel()
{
    const double fraction = m_budget->value() / 1000.0;
    m_budgetLabel->setText(m_plainFlops > 0 ? tr("%1 GFLOPs: %2% of the unreduced %3")
                                                  .arg(fraction * m_plainFlops / 1e9, 0, 'f', 2)
                                                  .arg(fraction * 100, 0, 'f', 1)
                                                  .arg(m_plainFlops / 1e9, 0, 'f', 2)
                                            : tr("%1% of the unreduced model").arg(fraction * 100, 0, 'f', 1));
}

void ComparePanel::refreshInfo()
{
    QString html = tr("<b>Schedules</b> (tokens removed per block, solved for the budget):<br>");
    for (const MethodComparison& m : m_result->methods)
        html += tr("%1: %2 GFLOPs%3 — %4<br>")
                    .arg(QString::fromUtf8(reductionMethodTitle(m.options.method)))
                    .arg(m.budget.flops / 1e9, 0, 'f', 3)
                    .arg(m.budget.withinTolerance ? QString() : tr(" (outside 1%: the method cannot reach the budget)"))
                    .arg(QString::fromStdString(m.run.scheduleText).toHtmlEscaped());
    html += m_selectedPatch >= 0 ? tr("<i>Lineage of patch %1 in every map (click it again to clear).</i>").arg(m_selectedPatch)
                                 : tr("<i>Click a map to see the lineage of that region's token in every method.</i>");
    m_info->setText(html);
}

std::optional<Figure> ComparePanel::currentFigure() const
{
    if (!m_result)
        return std::nullopt;
    // The run's settings with the view as shown now (the view changes without a new run).
    CompareSettings shown = m_resultSettings;
    const CompareSettings now = settings();
    shown.layer = now.layer;
    shown.selectedPatch = now.selectedPatch;
    return compareFigure(*m_result, shown);
}

QByteArray ComparePanel::currentDataJson() const
{
    return m_result ? compareResultJson(*m_result, m_resultSettings) : QByteArray();
}

CompareSettings ComparePanel::settings() const
{
    CompareSettings s;
    s.model = m_workspace->modelSettings();
    s.image = m_workspace->imagePath().toStdString();
    s.methods.clear();
    for (int i = 0; i < 4; ++i)
        if (m_methodBoxes[i]->isChecked())
            s.methods.push_back(kMethods[i]);
    s.fraction = m_budget->value() / 1000.0;
    s.margin = m_margin->value();
    s.linkage = static_cast<Linkage>(m_linkage->currentData().toInt());
    for (const QString& item : m_evitLayers->text().split(',', Qt::SkipEmptyParts))
        if (const int block = item.trimmed().toInt(); block >= 1)
            s.evitLayers.push_back(block - 1);
    s.layer = m_layer->value();
    s.selectedPatch = m_selectedPatch;
    return s;
}

void ComparePanel::applySettings(const CompareSettings& s)
{
    for (int i = 0; i < 4; ++i) {
        const QSignalBlocker block(m_methodBoxes[i]);
        m_methodBoxes[i]->setChecked(std::find(s.methods.begin(), s.methods.end(), kMethods[i]) != s.methods.end());
    }
    m_budget->setValue(static_cast<int>(std::lround(s.fraction * 1000)));
    m_margin->setValue(s.margin);
    m_linkage->setCurrentIndex(m_linkage->findData(static_cast<int>(s.linkage)));
    QStringList layers;
    for (int l : s.evitLayers)
        layers << QString::number(l + 1);
    m_evitLayers->setText(layers.join(','));
    if (s.layer >= 0) {
        m_layer->setMaximum(std::max(m_layer->maximum(), s.layer));
        m_layer->setValue(s.layer);
    }
    m_pendingLayer = s.layer;
    m_selectedPatch = s.selectedPatch;
    onMethodToggled(m_methodBoxes[0]); // enables the parameters and schedules the run
}

QJsonObject ComparePanel::saveState() const { return sessionState(settings()); }

QStringList ComparePanel::restoreState(const QJsonObject& state) { return restoreSessionState(*this, state, "Compare"); }

} // namespace ts
