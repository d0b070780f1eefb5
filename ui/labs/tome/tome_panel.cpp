#include "ui/labs/tome/tome_panel.h"

#include "core/tome/tome_api.h"
#include "ui/figures/figure_recipe.h"
#include "ui/figures/tome_result_json.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/lab_layout.h"
#include "ui/labs/tome/attention_pane.h"
#include "ui/labs/tome/merge_display_controls.h"
#include "ui/labs/tome/merge_view.h"
#include "ui/labs/tome/reduction_controls.h"
#include "ui/widgets/run_status.h"
#include "ui/shell/settings_state.h"
#include "ui/shell/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QJsonArray>
#include <QVBoxLayout>

#include <cmath>

namespace ts {

ToMePanel::ToMePanel(Workspace* workspace, QWidget* parent) : LabPanel(parent), m_workspace(workspace)
{
    m_runner = new JobRunner(this);
    m_view = new MergeView(this);
    m_view->clear(tr("Running ToMe…"));

    QGroupBox* controls = buildMergingControls();
    m_display = new MergeDisplayControls(this);
    m_layerSlider = m_display->layerSlider();
    m_attention = new AttentionPane(m_workspace, [this] { return settings(); }, this);
    auto* views = new QSplitter(Qt::Vertical, this); // the attention figure under the map
    views->addWidget(m_view);
    views->addWidget(m_attention->area());
    views->setChildrenCollapsible(false);
    // Both figures keep their text at the type scale and shrink their images: the attention
    // figure gets the height it asks for, up to half (the map keeps the other half).
    connect(m_attention, &AttentionPane::figureNeeds, views, [views](int height) {
        const QList<int> sizes = views->sizes();
        const int total = sizes.value(0) + sizes.value(1);
        if (sizes.value(1) < height && total > 0)
            views->setSizes({total - std::min(height, total / 2), std::min(height, total / 2)});
    });

    m_info = makeInfoLabel(this);
    m_status = new RunStatus(m_runner, this);
    m_status->alsoCancelOnEscape(m_attention->runner());
    layOutLab(this, views, {controls, m_display, m_attention->controls()}, m_info, m_status);

    connectControls();
    updateScheduleControls();
    scheduleRun();
}

// r, the schedule and proportional attention.
QGroupBox* ToMePanel::buildMergingControls()
{
    auto* controls = new QGroupBox(tr("Token merging"), this);
    auto* form = new QFormLayout(controls);
    m_reduction = new ReductionControls(form, controls); // the method and its own parameters
    m_rSlider = new QSlider(Qt::Horizontal, controls);
    m_rSlider->setRange(0, 64);
    m_rSlider->setValue(8);
    m_rSlider->setToolTip(tr("r: tokens merged in each block (clamped to half the tokens)"));
    m_rSpin = new QSpinBox(controls);
    m_rSpin->setRange(0, 64);
    m_rSpin->setValue(8);
    auto* rRow = new QHBoxLayout;
    rRow->addWidget(m_rSlider, 1);
    rRow->addWidget(m_rSpin);
    form->addRow(tr("r"), rRow);
    m_scheduleKind = new QComboBox(controls);
    m_scheduleKind->addItem(tr("Constant r"));
    m_scheduleKind->addItem(tr("r with inflection (decreasing < 0)"));
    m_scheduleKind->addItem(tr("Explicit list per block"));
    form->addRow(tr("Schedule"), m_scheduleKind);
    m_inflection = new QDoubleSpinBox(controls);
    m_inflection->setRange(-1.0, 1.0);
    m_inflection->setSingleStep(0.1);
    m_inflection->setValue(-0.5);
    form->addRow(tr("Inflection"), m_inflection);
    m_list = new QLineEdit(controls);
    m_list->setPlaceholderText(tr("e.g. 16,16,12,12,8,8,4,4"));
    m_list->setText("16,16,12,12,8,8,4,4,0,0,0,0");
    form->addRow(tr("List"), m_list);
    m_propAttn = new QCheckBox(tr("Proportional attention (log size added to logits)"), controls);
    m_propAttn->setChecked(true);
    form->addRow(m_propAttn);

    return controls;
}

void ToMePanel::connectControls()
{
    m_debounce = makeDebounce(this, 120); // coalesce slider drags; the newest request wins anyway
    connect(m_debounce, &QTimer::timeout, this, &ToMePanel::runNow);
    connect(m_rSlider, &QSlider::valueChanged, m_rSpin, &QSpinBox::setValue);
    connect(m_rSpin, &QSpinBox::valueChanged, m_rSlider, &QSlider::setValue);
    connect(m_rSlider, &QSlider::valueChanged, this, &ToMePanel::scheduleRun);
    connect(m_scheduleKind, &QComboBox::currentIndexChanged, this, [this] {
        updateScheduleControls();
        scheduleRun();
    });
    connect(m_inflection, &QDoubleSpinBox::valueChanged, this, &ToMePanel::scheduleRun);
    connect(m_list, &QLineEdit::editingFinished, this, &ToMePanel::scheduleRun);
    connect(m_propAttn, &QCheckBox::toggled, this, &ToMePanel::scheduleRun);
    connect(m_display, &MergeDisplayControls::changed, this, &ToMePanel::refreshView);
    connect(m_reduction, &ReductionControls::changed, this, [this] {
        updateScheduleControls();
        scheduleRun();
    });
    connect(m_view, &MergeView::patchClicked, this, [this](int patch) {
        m_selectedPatch = patch == m_selectedPatch ? -1 : patch; // a second click clears
        refreshView();
    });
    connect(m_workspace, &Workspace::imageChanged, this, [this] {
        m_selectedPatch = -1; // a patch of the previous image means nothing on the new one
        refreshView();
        scheduleRun();
    });
    connect(m_workspace, &Workspace::modelSourceChanged, this, &ToMePanel::scheduleRun);
    connect(m_runner, &JobRunner::finished, this, [this](const JobOutcome& outcome) {
        if (!outcome.error.isEmpty())
            return m_view->setStale(outcome.error); // RunStatus shows it too; the previous figure stays, marked
        onResult(std::any_cast<std::shared_ptr<ToMeResult>>(outcome.result));
    });
}

ToMePanel::~ToMePanel() = default;

void ToMePanel::updateScheduleControls()
{
    const int kind = m_scheduleKind->currentIndex();
    const bool byR = !m_reduction->replacesSchedule(); // else a keep ratio or rate sets the tokens removed
    m_scheduleKind->setEnabled(byR);
    m_inflection->setEnabled(byR);
    m_list->setEnabled(byR);
    // Only the chosen schedule's row, so the method's rows fit at the default window size.
    auto* form = static_cast<QFormLayout*>(m_inflection->parentWidget()->layout());
    form->setRowVisible(m_inflection, kind == 1);
    form->setRowVisible(m_list, kind == 2);
    m_rSlider->setEnabled(byR && kind != 2);
    m_rSpin->setEnabled(byR && kind != 2);
}

void ToMePanel::scheduleRun() { m_debounce->start(); }

void ToMePanel::runNow()
{
    m_debounce->stop();
    if (m_workspace->imageRgb().empty())
        return;
    ToMeSchedule schedule;
    switch (m_scheduleKind->currentIndex()) {
    case 0: schedule = ToMeSchedule::constant(m_rSlider->value()); break;
    case 1: schedule = ToMeSchedule::withInflection(m_rSlider->value(), m_inflection->value()); break;
    default: {
        std::vector<int> list;
        bool ok = true;
        for (const QString& item : m_list->text().split(',', Qt::SkipEmptyParts)) {
            const int v = item.trimmed().toInt(&ok);
            if (!ok || v < 0)
                break;
            list.push_back(v);
        }
        if (!ok || list.empty()) {
            const QString problem = tr("the list must be non-negative integers separated by commas");
            m_status->setMessage(tr("Error: %1").arg(problem));
            m_view->setStale(problem);
            m_attention->markStale(problem);
            return;
        }
        schedule = ToMeSchedule::explicitList(list);
    }
    }
    const ModelSource source = m_workspace->modelSource();
    const cv::Mat image = m_workspace->imageRgb();
    const bool prop = m_propAttn->isChecked();
    const Normalisation norm = m_workspace->normalisation();
    const ReductionOptions reduction = m_reduction->options();
    m_runSettings = settings();
    m_runner->start([source, image, schedule, prop, norm, reduction](const RunControl& control) -> std::any {
        ToMeRequest request;
        request.model = cachedVit(source, &control);
        request.imageRgb = image;
        request.normalisation = norm;
        request.schedule = schedule;
        request.reduction = reduction;
        request.proportionalAttention = prop;
        return std::make_shared<ToMeResult>(runToMe(request, control));
    });
    m_attention->runNow(); // when shown: the same model, image and schedule
}

void ToMePanel::cancelRun()
{
    m_runner->cancel();
    m_attention->cancel();
}

void ToMePanel::stepLayer(int delta) { m_layerSlider->setValue(m_layerSlider->value() + delta); }

void ToMePanel::onResult(std::shared_ptr<ToMeResult> result)
{
    const bool wasAtEnd = !m_result || m_layerSlider->value() == m_layerSlider->maximum();
    m_result = std::move(result);
    m_resultSettings = m_runSettings;
    m_status->setMessage(tr("%1: %2 → %3 tokens; %4 ms with merging, %5 ms without")
                             .arg(QString::fromUtf8(reductionMethodTitle(m_result->method)))
                             .arg(m_result->tokens.front())
                             .arg(m_result->tokens.back())
                             .arg(m_result->secondsMerged * 1e3, 0, 'f', 0)
                             .arg(m_result->secondsPlain * 1e3, 0, 'f', 0));
    if (m_selectedPatch >= m_result->grid * m_result->grid)
        m_selectedPatch = -1;
    const QSignalBlocker block(m_layerSlider);
    m_display->setDepth(m_result->depth());
    if (m_pendingLayer >= 0)
        m_layerSlider->setValue(std::min(m_pendingLayer, m_result->depth()));
    else if (wasAtEnd)
        m_layerSlider->setValue(m_result->depth());
    m_pendingLayer = -1;
    m_attention->setModelShape(m_result->config.depth, m_result->config.heads);
    refreshView();
    refreshInfo();
}

void ToMePanel::refreshView()
{
    if (!m_result)
        return;
    m_display->updateLabel(m_result->depth());
    ToMeSettings view; // the view fields only (the run's are in m_resultSettings)
    m_display->writeTo(view);
    view.selectedPatch = m_selectedPatch;
    m_view->setData(mergeMapData(*m_result, mergeMapOptions(view)));
    refreshInfo();
}

QString ToMePanel::tokenSummary() const
{
    if (!m_result)
        return {};
    QStringList counts;
    for (int t : m_result->tokens)
        counts << QString::number(t);
    return counts.join(" → ");
}

void ToMePanel::refreshInfo()
{
    if (!m_result)
        return;
    const ToMeResult& r = *m_result;
    QString html = tr("<b>Tokens per layer</b> (input, then after each block):<br>%1<br>").arg(tokenSummary());
    QStringList applied;
    for (int v : r.rApplied)
        applied << QString::number(v);
    html += tr("<b>r applied</b>: %1<br>").arg(applied.join(", "));
    const double speed = r.secondsMerged > 0 ? r.secondsPlain / r.secondsMerged : 0;
    const double flopRatio = r.flopsMerged.matmulTotal() > 0 ? r.flopsPlain.matmulTotal() / r.flopsMerged.matmulTotal() : 0;
    html += tr("<b>Forward pass</b>: %1 ms with merging, %2 ms without (%3× measured, %4× fewer FLOPs: %5 vs %6 GFLOP)<br>")
                .arg(r.secondsMerged * 1e3, 0, 'f', 1)
                .arg(r.secondsPlain * 1e3, 0, 'f', 1)
                .arg(speed, 0, 'f', 2)
                .arg(flopRatio, 0, 'f', 2)
                .arg(r.flopsMerged.matmulTotal() / 1e9, 0, 'f', 2)
                .arg(r.flopsPlain.matmulTotal() / 1e9, 0, 'f', 2);
    if (!r.top5.empty()) {
        html += tr("<b>Top-5 classes</b>%1:<br>").arg(QString::fromStdString(r.weights).startsWith("random(") ? tr(" (random weights: meaningless)") : QString());
        for (const auto& c : r.top5)
            html += QString("%1 — %2%<br>").arg(QString::fromStdString(c.name).toHtmlEscaped()).arg(c.probability * 100, 0, 'f', 1);
    }
    if (m_selectedPatch >= 0) {
        const int layer = m_layerSlider->value();
        const int holder = r.tokenOfPatch[static_cast<std::size_t>(layer)][static_cast<std::size_t>(m_selectedPatch)];
        html += tr("<b>Selected region</b>: token %1 of size %2 after block %3 (click again to clear)")
                    .arg(holder)
                    .arg(r.sizes[static_cast<std::size_t>(layer)][static_cast<std::size_t>(holder)])
                    .arg(layer);
    } else {
        html += tr("<i>Click a region of the map to see its lineage.</i>");
    }
    m_info->setText(html);
}

std::optional<Figure> ToMePanel::currentFigure() const
{
    if (!m_result)
        return std::nullopt;
    // The run's settings with the view as shown now (the view changes without a new run).
    ToMeSettings shown = m_resultSettings;
    const ToMeSettings now = settings();
    m_display->writeTo(shown);
    shown.selectedPatch = now.selectedPatch;
    return mergeMapFigure(*m_result, shown);
}

std::vector<ShownFigure> ToMePanel::shownFigures() const
{
    std::vector<ShownFigure> out = LabPanel::shownFigures();
    if (std::optional<Figure> f = m_attention->figure(); f && !out.empty())
        out.push_back({QStringLiteral("attention"), tr("Attention"), *f, m_attention->dataJson()});
    return out;
}

ToMeSettings ToMePanel::settings() const
{
    ToMeSettings s;
    s.model = m_workspace->modelSettings();
    s.image = m_workspace->imagePath().toStdString();
    s.schedule = static_cast<ToMeSettings::Schedule>(std::clamp(m_scheduleKind->currentIndex(), 0, 2));
    s.r = m_rSlider->value();
    s.inflection = m_inflection->value();
    s.list.clear();
    for (const QString& item : m_list->text().split(',', Qt::SkipEmptyParts))
        s.list.push_back(std::max(0, item.trimmed().toInt()));
    s.reduction = m_reduction->options();
    s.proportionalAttention = m_propAttn->isChecked();
    m_display->writeTo(s);
    s.selectedPatch = m_selectedPatch;
    s.attention = m_attention->settings();
    return s;
}

void ToMePanel::applySettings(const ToMeSettings& s)
{
    m_rSlider->setValue(s.r);
    m_scheduleKind->setCurrentIndex(static_cast<int>(s.schedule));
    m_inflection->setValue(s.inflection);
    QStringList list;
    for (int r : s.list)
        list << QString::number(r);
    m_list->setText(list.join(','));
    m_propAttn->setChecked(s.proportionalAttention);
    m_display->apply(s);
    m_reduction->setOptions(s.reduction);
    m_selectedPatch = s.selectedPatch;
    m_pendingLayer = s.layer;
    updateScheduleControls();
    m_attention->applySettings(s.attention);
    scheduleRun();
}

QJsonObject ToMePanel::saveState() const
{
    QJsonObject o = toQJson(toJson(settings()));
    o.remove("model"); // the session's top level holds the model and image for every lab
    o.remove("image");
    return o;
}

QStringList ToMePanel::restoreState(const QJsonObject& saved)
{
    QJsonObject state = saved;
    // Sessions of format 1 kept the schedule as a menu index, the list as text and the opacity in
    // percent.
    if (state.value("schedule").isDouble()) {
        const char* names[] = {"constant", "inflection", "list"};
        state["schedule"] = names[std::clamp(state.value("schedule").toInt(), 0, 2)];
        if (state.value("opacity").isDouble())
            state["opacity"] = state.value("opacity").toDouble() / 100.0;
        if (state.value("list").isString()) {
            QJsonArray list;
            for (const QString& item : state.value("list").toString().split(',', Qt::SkipEmptyParts))
                list.append(item.trimmed().toInt());
            state["list"] = list;
        }
    }
    ToMeSettings s = settings();
    s.reduction = {}; // a session without "method" was saved with ToMe
    const QStringList problems = readSettings(state, s, "ToMe");
    applySettings(s);
    return problems;
}

QByteArray ToMePanel::currentDataJson() const { return m_result ? toMeResultJson(*m_result) : QByteArray(); }

} // namespace ts
