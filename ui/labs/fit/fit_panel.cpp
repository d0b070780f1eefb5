#include "ui/labs/fit/fit_panel.h"

#include "core/fit/fit_api.h"
#include "ui/labs/fit/fit_view.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/lab_layout.h"
#include "ui/widgets/run_status.h"
#include "ui/shell/settings_state.h"
#include "ui/figures/fit_overlay_figure.h"
#include "ui/shell/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace ts {

FitPanel::FitPanel(Workspace* workspace, QWidget* parent) : LabPanel(parent), m_workspace(workspace)
{
    m_runner = new JobRunner(this);
    m_view = new FitView(this);
    m_view->clear(tr("Running FIT…"));

    QGroupBox* controls = buildArchitectureControls();
    QGroupBox* display = buildOverlayControls();
    m_info = makeInfoLabel(this);
    m_status = new RunStatus(m_runner, this);
    layOutLab(this, scrollingView(m_view, this), {controls, display}, m_info, m_status);

    connectControls();
    scheduleRun();
}

QGroupBox* FitPanel::buildArchitectureControls()
{
    auto* controls = new QGroupBox(tr("FIT architecture"), this);
    auto* form = new QFormLayout(controls);
    m_group = makeSpin(controls, 1, 64, 4, tr("g: each group is a g × g window of patches (n = g² tokens)"));
    form->addRow(tr("Group size g"), m_group);
    m_latents = makeSpin(controls, 1, 256, 4, tr("m: latent tokens per group"));
    form->addRow(tr("Latents per group"), m_latents);
    m_latentWidth = makeSpin(controls, 64, 2048, 384, tr("Width of the latents and global layers (data width: 384)"));
    m_latentWidth->setSingleStep(64);
    form->addRow(tr("Latent width"), m_latentWidth);
    m_pattern = new QLineEdit(QStringLiteral("L(2)G(1)L(2)G(1)"), controls);
    m_pattern->setToolTip(tr("Local and global layers per block: L(8)G(2)L(8)G(2), L8G2L8G2 or the official (8)2(8)2"));
    form->addRow(tr("Layer pattern"), m_pattern);
    m_size = makeSpin(controls, 0, 6400, 448,
                  tr("FIT's input: the image resized and centre-cropped to this side (0: the image as it is). The model "
                     "panel's Input size is the ViT's (ToMe, FAM); FIT does not use it."));
    m_size->setSingleStep(64);
    m_size->setSpecialValueText(tr("as is"));
    form->addRow(tr("FIT input size (px)"), m_size);
    m_autoregressive = new QCheckBox(tr("FIT-AR masks (causal, shifted latents)"), controls);
    form->addRow(m_autoregressive);

    return controls;
}

QGroupBox* FitPanel::buildOverlayControls()
{
    auto* display = new QGroupBox(tr("Overlay"), this);
    auto* dform = new QFormLayout(display);
    m_block = makeSpin(display, 1, 1, 1, tr("FIT block whose latent attention is shown (keys [ and ] step)"));
    dform->addRow(tr("Block"), m_block);
    m_latent = new QComboBox(display);
    m_latent->addItem(tr("All latents"));
    dform->addRow(tr("Latent"), m_latent);
    m_range = new QComboBox(display);
    m_range->addItem(tr("Fixed: 0 to the max over blocks"));
    m_range->addItem(tr("Data: each map's own range"));
    m_range->setToolTip(tr("Colour bars: fixed compares blocks frame to frame; data spreads one map's values over the whole ramp"));
    dform->addRow(tr("Colour range"), m_range);

    return display;
}

void FitPanel::connectControls()
{
    m_debounce = makeDebounce(this, 250);
    connect(m_debounce, &QTimer::timeout, this, &FitPanel::runNow);
    for (QSpinBox* s : {m_group, m_latents, m_latentWidth, m_size})
        connect(s, &QSpinBox::valueChanged, this, &FitPanel::scheduleRun);
    connect(m_pattern, &QLineEdit::editingFinished, this, &FitPanel::scheduleRun);
    connect(m_autoregressive, &QCheckBox::toggled, this, &FitPanel::scheduleRun);
    connect(m_block, &QSpinBox::valueChanged, this, &FitPanel::refreshView);
    connect(m_latent, &QComboBox::currentIndexChanged, this, &FitPanel::refreshView);
    connect(m_range, &QComboBox::currentIndexChanged, this, &FitPanel::refreshView);
    connect(m_view, &FitView::groupClicked, this, [this](int group) {
        m_selectedGroup = group;
        if (m_result && !m_runner->isRunning())
            refreshView();
        else
            showPreview(); // during a run the view shows the new grouping
    });
    connect(m_workspace, &Workspace::imageChanged, this, &FitPanel::scheduleRun);
    connect(m_workspace, &Workspace::modelSourceChanged, this, &FitPanel::scheduleRun);
    connect(m_runner, &JobRunner::finished, this, [this](const JobOutcome& outcome) {
        if (!outcome.error.isEmpty()) {
            restoreResultView(); // RunStatus shows the error
            return;
        }
        onResult(std::any_cast<std::shared_ptr<FitResult>>(outcome.result));
    });
    // A run shows the new grouping as a preview; a cancelled one puts the last result back.
    connect(m_runner, &JobRunner::cancelled, this, &FitPanel::restoreResultView);
}


FitPanel::~FitPanel() = default;

bool FitPanel::buildRequest(FitRequest& request, QString* error) const
{
    request.imageRgb = m_workspace->imageRgb();
    request.size = m_size->value();
    request.normalisation = m_workspace->normalisation();
    request.seed = m_workspace->modelSource().seed;
    FitConfig& c = request.config;
    c.groupSize = m_group->value();
    c.latentsPerGroup = m_latents->value();
    c.latentWidth = m_latentWidth->value();
    c.latentHeads = c.latentWidth == c.dataWidth ? c.heads : std::max(1, c.latentWidth / 64);
    c.pattern = m_pattern->text().toStdString();
    c.autoregressive = m_autoregressive->isChecked();
    // Every block and group is recorded, so clicks and block changes need no new run.
    request.record.enabled = true;
    try {
        c.validate();
        fitGroupingFor(request);
    } catch (const std::exception& e) {
        *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

void FitPanel::scheduleRun()
{
    showPreview();
    m_debounce->start();
}

void FitPanel::showPreview()
{
    FitRequest request;
    QString error;
    if (m_workspace->imageRgb().empty())
        return;
    if (!buildRequest(request, &error)) {
        m_status->setMessage(tr("Error: %1").arg(error));
        return;
    }
    const Grouping grouping = fitGroupingFor(request);
    // A local choice: the selection belongs to the shown result until a new one arrives.
    const int group = m_selectedGroup < grouping.groups() ? m_selectedGroup : -1;
    // The preview shows the model's input, resized and cropped like the run will, but made at
    // preview size: resizing to the run's size first would block the window for tens of ms on
    // every edit at 1024 px (the run does that on the model thread).
    const int p = request.config.patchSize;
    const cv::Size cut(grouping.gridCols() * p, grouping.gridRows() * p);
    const double scale = 448.0 / std::max(cut.width, cut.height);
    const cv::Size shown(std::max(1, int(cut.width * scale)), std::max(1, int(cut.height * scale)));
    cv::Mat small;
    if (request.size > 0) {
        const int side = std::max(1, static_cast<int>(std::lround(request.size * scale)));
        small = centreCrop(request.imageRgb, side).rgb(cv::Rect(0, 0, std::min(side, shown.width), std::min(side, shown.height)));
    } else {
        cv::resize(request.imageRgb(cv::Rect(cv::Point(0, 0), cut)), small, shown, 0, 0, cv::INTER_AREA);
    }
    if (!m_result || m_runner->isRunning())
        m_view->setPreview(qImageFromRgb(small), grouping, group);
}

void FitPanel::runNow()
{
    m_debounce->stop();
    if (m_workspace->imageRgb().empty())
        return;
    FitRequest request;
    QString error;
    if (!buildRequest(request, &error)) {
        m_status->setMessage(tr("Error: %1").arg(error));
        return;
    }
    // The last result stays (figure, data, export) until the new one arrives; the view shows
    // the new grouping meanwhile, and a cancelled or failed run puts the result back.
    m_runSettings = settings();
    m_runner->start([request](const RunControl& control) -> std::any { return std::make_shared<FitResult>(runFit(request, control)); });
    showPreview();
}

void FitPanel::restoreResultView()
{
    if (!m_result)
        return;
    if (m_selectedGroup < 0 || m_selectedGroup >= m_result->groups())
        m_selectedGroup = centreGroup(m_result->grouping);
    refreshView();
}

void FitPanel::cancelRun() { m_runner->cancel(); }

void FitPanel::stepLayer(int delta) { m_block->setValue(m_block->value() + delta); }

void FitPanel::onResult(std::shared_ptr<FitResult> result)
{
    m_result = std::move(result);
    m_resultSettings = m_runSettings;
    // Replaces the last progress line, which would otherwise read as if the run were still going.
    m_status->setMessage(tr("FIT: %1 groups of %2 tokens in %3 s").arg(m_result->groups()).arg(m_result->tokensPerGroup()).arg(m_result->seconds, 0, 'f', 2));
    const QSignalBlocker blockBlocker(m_block), latentBlocker(m_latent);
    m_block->setRange(1, static_cast<int>(m_result->pattern.blocks.size()));
    const int preferred = defaultFitOverlayBlock(*m_result);
    if (m_pendingBlock >= 0)
        m_block->setValue(m_pendingBlock + 1);
    m_pendingBlock = -1;
    const int current = m_block->value() - 1;
    if (current >= static_cast<int>(m_result->pattern.blocks.size()) || m_result->pattern.blocks[static_cast<std::size_t>(current)].global == 0)
        m_block->setValue(preferred + 1);
    m_latent->clear();
    m_latent->addItem(tr("All latents"));
    for (int s = 0; s < m_result->latentsPerGroup(); ++s)
        m_latent->addItem(tr("Latent %1").arg(s));
    if (m_pendingLatent >= -1 && m_pendingLatent + 1 < m_latent->count())
        m_latent->setCurrentIndex(m_pendingLatent + 1);
    m_pendingLatent = -2;
    if (m_selectedGroup < 0 || m_selectedGroup >= m_result->groups())
        m_selectedGroup = centreGroup(m_result->grouping);
    refreshView();
}

FitOverlayOptions FitPanel::overlayOptions() const
{
    FitOverlayOptions options;
    options.block = m_block->value() - 1;
    options.group = m_selectedGroup;
    options.latent = m_latent->currentIndex() - 1;
    options.range = m_range->currentIndex() == 0 ? FitSettings::Range::Fixed : FitSettings::Range::Data;
    return options;
}

void FitPanel::refreshView()
{
    if (!m_result)
        return;
    try {
        m_view->setOverlay(fitOverlayData(*m_result, overlayOptions()));
    } catch (const std::exception& e) {
        m_status->setMessage(QString::fromStdString(e.what()));
    }
    refreshInfo();
}

void FitPanel::refreshInfo()
{
    if (!m_result)
        return;
    const FitResult& r = *m_result;
    QStringList kinds;
    for (const auto& k : r.layerKinds)
        kinds << QString::fromStdString(k);
    const int side = r.config.patchSize;
    QString html = tr("<b>Input</b>: %1 × %2 px (FIT input size above; the model panel's Input size, %3 px, is the ViT's, "
                      "for ToMe and FAM)<br>")
                       .arg(r.grouping.gridCols() * side)
                       .arg(r.grouping.gridRows() * side)
                       .arg(m_workspace->modelSource().imageSize);
    const bool random = r.weights.rfind("random(", 0) == 0;
    html += tr("<b>Time</b>: %1 s to %2, then %3 s for the forward pass (patch embedding and %4 blocks)<br>")
                .arg(r.buildSeconds, 0, 'f', 2)
                .arg(random ? tr("make the random weights") : tr("load the weights"))
                .arg(r.seconds, 0, 'f', 2)
                .arg(r.pattern.blocks.size());
    html += tr("<b>Peak memory</b>: %1 measured, %2 estimated before the run (limit %3)<br>")
                       .arg(QString::fromStdString(formatBytes(double(r.peakMemoryBytes))))
                       .arg(QString::fromStdString(formatBytes(double(r.estimatedMemoryBytes))))
                       .arg(QString::fromStdString(formatBytes(double(r.memoryLimitBytes))));
    html += tr("<b>Groups</b>: t = %1 of n = %2 tokens, m = %3 latents each (%4 latents)<br>")
                .arg(r.groups())
                .arg(r.tokensPerGroup())
                .arg(r.latentsPerGroup())
                .arg(r.groups() * r.latentsPerGroup());
    if (r.grouping.padded())
        html += tr("The %1 × %2 patch grid is padded to %3 × %4; the %5 padding slots are masked out of every attention.<br>")
                    .arg(r.grouping.gridCols())
                    .arg(r.grouping.gridRows())
                    .arg(r.grouping.paddedCols())
                    .arg(r.grouping.paddedRows())
                    .arg(r.grouping.paddingSlots());
    html += tr("<b>Steps</b>: %1<br><i>As in the official code, the last block has no write-back (data reading latents).</i><br>")
                .arg(kinds.join(" → "));
    html += tr("<b>Weights</b>: %1<br><i>Click a group to see its latents' attention.</i>").arg(QString::fromStdString(r.weights).toHtmlEscaped());
    m_info->setText(html);
}

std::optional<Figure> FitPanel::currentFigure() const
{
    if (!m_result)
        return std::nullopt;
    FitSettings shown = m_resultSettings; // what ran, with the view as shown now
    const FitSettings now = settings();
    shown.block = now.block;
    shown.group = now.group;
    shown.latent = now.latent;
    shown.range = now.range;
    return fitOverlayFigure(*m_result, shown);
}

FitSettings FitPanel::settings() const
{
    FitSettings s;
    s.image = m_workspace->imagePath().toStdString();
    s.seed = m_workspace->modelSource().seed;
    s.normalisation = m_workspace->normalisation();
    s.groupSize = m_group->value();
    s.latents = m_latents->value();
    s.latentWidth = m_latentWidth->value();
    s.pattern = m_pattern->text().toStdString();
    s.size = m_size->value();
    s.autoregressive = m_autoregressive->isChecked();
    s.block = m_result ? m_block->value() - 1 : m_pendingBlock;
    s.group = m_selectedGroup;
    s.latent = m_result ? m_latent->currentIndex() - 1 : std::max(-1, m_pendingLatent);
    s.range = m_range->currentIndex() == 0 ? FitSettings::Range::Fixed : FitSettings::Range::Data;
    return s;
}

void FitPanel::applySettings(const FitSettings& s)
{
    m_group->setValue(s.groupSize);
    m_latents->setValue(s.latents);
    m_latentWidth->setValue(s.latentWidth);
    m_pattern->setText(QString::fromStdString(s.pattern));
    m_size->setValue(s.size);
    m_autoregressive->setChecked(s.autoregressive);
    {
        const QSignalBlocker blocker(m_range); // drawn with the next result (or now, below)
        m_range->setCurrentIndex(s.range == FitSettings::Range::Fixed ? 0 : 1);
    }
    m_selectedGroup = s.group;
    m_pendingBlock = s.block;
    m_pendingLatent = s.latent;
    scheduleRun();
}

QJsonObject FitPanel::saveState() const
{
    return sessionState(settings(), {"image", "seed", "mean", "std", "checkpoint", "checkpoint_sha256"});
}

QStringList FitPanel::restoreState(const QJsonObject& state) { return restoreSessionState(*this, state, "FIT"); }

QByteArray FitPanel::currentDataJson() const
{
    if (!m_result)
        return {};
    return fitResultJson(*m_result, overlayOptions());
}

} // namespace ts
