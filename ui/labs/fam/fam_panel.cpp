#include "ui/labs/fam/fam_panel.h"

#include "core/fam/fam_api.h"
#include "ui/widgets/figure_view.h"
#include "ui/figures/fam_overlay_figure.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/lab_layout.h"
#include "ui/widgets/run_status.h"
#include "ui/shell/settings_state.h"
#include "ui/figures/figure_recipe.h"
#include "ui/shell/workspace.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace ts {

FamPanel::FamPanel(Workspace* workspace, QWidget* parent) : LabPanel(parent), m_workspace(workspace)
{
    m_runner = new JobRunner(this);
    m_view = new FigureView(this);
    m_view->clear(tr("Running the ViT in FAM mode…"));

    auto* controls = new QGroupBox(tr("TransformerFAM over the patches"), this);
    auto* form = new QFormLayout(controls);
    auto spin = [controls](int lo, int hi, int value, const QString& tip) {
        auto* s = new QSpinBox(controls);
        s->setRange(lo, hi);
        s->setValue(value);
        s->setToolTip(tip);
        return s;
    };
    m_block = spin(1, 4096, 16, tr("b: patches per block, in raster order (the slide stride)"));
    m_memory = spin(0, 64, 1, tr("s: previous blocks whose keys each block also sees"));
    m_fam = spin(1, 256, 4, tr("f: feedback memory tokens carried from block to block"));
    m_withFam = new QCheckBox(tr("Feedback memory (off: plain block sliding window)"), controls);
    m_withFam->setChecked(true);
    form->addRow(tr("Block size b"), m_block);
    form->addRow(tr("Memory segments s"), m_memory);
    form->addRow(tr("FAM length f"), m_fam);
    form->addRow(m_withFam);

    auto* overlay = new QGroupBox(tr("Overlay"), this);
    auto* oform = new QFormLayout(overlay);
    m_overlayBlock = spin(0, 100000, 5, tr("The block whose FAM attention is shown"));
    m_layer = spin(1, 64, 12, tr("The layer (1 = first block of the ViT); [ and ] step"));
    oform->addRow(tr("Block"), m_overlayBlock);
    oform->addRow(tr("Layer"), m_layer);

    m_info = makeInfoLabel(this);
    m_status = new RunStatus(m_runner, this);
    layOutLab(this, m_view, {controls, overlay}, m_info, m_status);

    m_debounce = makeDebounce(this, 150);
    connect(m_debounce, &QTimer::timeout, this, &FamPanel::runNow);
    for (QSpinBox* s : {m_block, m_memory, m_fam, m_overlayBlock, m_layer})
        connect(s, &QSpinBox::valueChanged, this, &FamPanel::scheduleRun);
    connect(m_withFam, &QCheckBox::toggled, this, [this](bool on) {
        m_fam->setEnabled(on);
        scheduleRun();
    });
    connect(m_workspace, &Workspace::imageChanged, this, &FamPanel::scheduleRun);
    connect(m_workspace, &Workspace::modelSourceChanged, this, &FamPanel::scheduleRun);
    connect(m_runner, &JobRunner::finished, this, [this](const JobOutcome& outcome) {
        if (!outcome.error.isEmpty())
            return; // shown by RunStatus; the previous figure stays
        m_result = std::any_cast<std::shared_ptr<FamResult>>(outcome.result);
        m_resultSettings = famSettingsAsRun(*m_result, m_runSettings);
        const FamResult& r = *m_result;
        m_view->setFigure(famOverlayFigure(r, m_resultSettings));
        {
            const QSignalBlocker b1(m_overlayBlock), b2(m_layer);
            m_overlayBlock->setMaximum(static_cast<int>(std::max<std::int64_t>(0, r.blocks - 1)));
            m_layer->setMaximum(r.config.depth);
        }
        m_status->setMessage(tr("%1 blocks in %2 s, %3 tokens/s, peak %4 MiB")
                                 .arg(r.blocks)
                                 .arg(r.seconds, 0, 'f', 2)
                                 .arg(r.tokensPerSecond, 0, 'f', 0)
                                 .arg(r.peakMemoryBytes / 1048576.0, 0, 'f', 2));
        m_info->setText(tr("<b>Sequence</b>: %1 patches in %2 blocks of %3 (raster order), %4<br>"
                           "<b>Memory</b>: peak %5 MiB measured, %6 MiB estimated; flat in the sequence length<br>"
                           "<b>Time</b>: %7 s (%8 tokens/s)<br>"
                           "<b>Block %9, layer %10</b>: FAM attention %11% on this block, %12% on the previous FAM, %13% on memory segments<br>"
                           "<b>Weights</b>: %14")
                            .arg(r.length)
                            .arg(r.blocks)
                            .arg(r.block)
                            .arg(r.causal ? tr("causal inside a block") : tr("bidirectional inside a block"))
                            .arg(r.peakMemoryBytes / 1048576.0, 0, 'f', 1)
                            .arg(r.estimatedMemoryBytes / 1048576.0, 0, 'f', 1)
                            .arg(r.seconds, 0, 'f', 2)
                            .arg(r.tokensPerSecond, 0, 'f', 0)
                            .arg(r.overlayBlock)
                            .arg(r.overlayLayer + 1)
                            .arg(100.0 * (1.0 - r.overlayOnPreviousFam - r.overlayOnMemory), 0, 'f', 1)
                            .arg(100.0 * r.overlayOnPreviousFam, 0, 'f', 1)
                            .arg(100.0 * r.overlayOnMemory, 0, 'f', 1)
                            .arg(QString::fromStdString(r.weights)));
    });
    scheduleRun();
}

FamPanel::~FamPanel() = default;

void FamPanel::scheduleRun() { m_debounce->start(); }

void FamPanel::runNow()
{
    m_debounce->stop();
    if (m_workspace->imageRgb().empty())
        return;
    FamRequest request;
    request.imageRgb = m_workspace->imageRgb();
    request.normalisation = m_workspace->normalisation();
    request.block = m_block->value();
    request.memory = m_memory->value();
    request.fam = m_fam->value();
    request.withFam = m_withFam->isChecked();
    if (!request.withFam)
        request.fam = 0; // as `tokenscope fam --no-fam` runs it
    m_runSettings = settings();
    request.overlayBlock = m_overlayBlock->value();
    request.overlayLayer = m_layer->value() - 1;
    const ModelSource source = m_workspace->modelSource();
    m_runner->start([request, source](const RunControl& control) mutable -> std::any {
        request.model = cachedVit(source, &control);
        const auto patches = static_cast<std::int64_t>(vitConfigOf(*request.model).numPatches());
        request.block = static_cast<int>(std::min<std::int64_t>(request.block, patches));
        const std::int64_t blocks = (patches + request.block - 1) / request.block;
        request.overlayBlock = static_cast<int>(std::min<std::int64_t>(request.overlayBlock, blocks - 1));
        request.overlayLayer = std::min(request.overlayLayer, vitConfigOf(*request.model).depth - 1);
        return std::make_shared<FamResult>(runFam(request, control));
    });
}

void FamPanel::cancelRun() { m_runner->cancel(); }

void FamPanel::stepLayer(int delta) { m_layer->setValue(m_layer->value() + delta); }

std::optional<Figure> FamPanel::currentFigure() const { return m_view->figure(); }

QByteArray FamPanel::currentDataJson() const { return m_result ? famResultJson(*m_result) : QByteArray(); }

FamSettings FamPanel::settings() const
{
    FamSettings s;
    s.model = m_workspace->modelSettings();
    s.image = m_workspace->imagePath().toStdString();
    s.block = m_block->value();
    s.memory = m_memory->value();
    s.fam = m_fam->value();
    s.withFam = m_withFam->isChecked();
    s.overlayBlock = m_overlayBlock->value();
    s.layer = m_layer->value();
    return s;
}

void FamPanel::applySettings(const FamSettings& s)
{
    m_block->setValue(s.block);
    m_memory->setValue(s.memory);
    m_fam->setValue(s.fam);
    m_withFam->setChecked(s.withFam);
    m_overlayBlock->setValue(s.overlayBlock);
    m_layer->setValue(s.layer);
    scheduleRun();
}

QJsonObject FamPanel::saveState() const { return sessionState(settings()); }

QStringList FamPanel::restoreState(const QJsonObject& state) { return restoreSessionState(*this, state, "FAM"); }

} // namespace ts
