#include "ui/labs/fam/fam_panel.h"

#include "core/fam/fam_api.h"
#include "ui/widgets/figure_view.h"
#include "ui/figures/fam_overlay_figure.h"
#include "ui/figures/figure_layout.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/lab_layout.h"
#include "ui/widgets/run_status.h"
#include "ui/shell/settings_state.h"
#include "ui/figures/figure_recipe.h"
#include "ui/shell/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace ts {
namespace {

constexpr int kMaxGuiStream = 100'000'000; // tokens; the run's memory estimate refuses what does not fit


} // namespace

FamPanel::FamPanel(Workspace* workspace, QWidget* parent) : LabPanel(parent), m_workspace(workspace)
{
    m_runner = new JobRunner(this);
    m_view = new FigureView(this);
    m_view->setFillsView(true);
    m_view->clear(tr("Running the ViT in FAM mode…"));

    QGroupBox* controls = buildFamControls();
    QGroupBox* overlay = buildOverlayControls();
    m_info = makeInfoLabel(this);
    m_status = new RunStatus(m_runner, this);
    layOutLab(this, scrollingView(m_view, this), {controls, overlay}, m_info, m_status);

    m_debounce = makeDebounce(this, 150);
    connect(m_debounce, &QTimer::timeout, this, &FamPanel::runNow);
    for (QSpinBox* s : {m_block, m_memory, m_fam, m_overlayBlock, m_layer, m_query, m_streamLength})
        connect(s, &QSpinBox::valueChanged, this, &FamPanel::scheduleRun);
    connect(m_withFam, &QCheckBox::toggled, this, [this](bool on) {
        m_fam->setEnabled(on);
        scheduleRun();
    });
    connect(m_stream, &QCheckBox::toggled, this, [this](bool on) {
        m_streamLength->setEnabled(on);
        scheduleRun();
    });
    // The query range follows b and f at once (a run then clamps to the chosen block's tokens).
    auto queryRange = [this] { m_query->setMaximum(m_block->value() + (m_withFam->isChecked() ? m_fam->value() : 0) - 1); };
    for (QSpinBox* s : {m_block, m_fam})
        connect(s, &QSpinBox::valueChanged, this, queryRange);
    connect(m_withFam, &QCheckBox::toggled, this, queryRange);
    queryRange();
    connect(m_view, &FigureView::clicked, this, &FamPanel::pickPatch);
    connect(m_workspace, &Workspace::imageChanged, this, &FamPanel::scheduleRun);
    connect(m_workspace, &Workspace::modelSourceChanged, this, &FamPanel::scheduleRun);
    connect(m_runner, &JobRunner::finished, this, [this](const JobOutcome& outcome) {
        if (outcome.error.isEmpty()) // else RunStatus shows it; the previous figure stays
            onResult(std::any_cast<std::shared_ptr<FamResult>>(outcome.result));
    });
    scheduleRun();
}

QGroupBox* FamPanel::buildFamControls()
{
    auto* controls = new QGroupBox(tr("TransformerFAM over the patches"), this);
    auto* form = new QFormLayout(controls);
    m_block = makeSpin(controls, 1, 4096, 16, tr("b: tokens per block (patches in raster order), also the slide stride"));
    m_memory = makeSpin(controls, 0, 64, 1, tr("s: previous blocks whose keys each block also sees"));
    m_fam = makeSpin(controls, 1, 256, 4, tr("f: feedback memory tokens carried from block to block"));
    m_withFam = new QCheckBox(tr("Feedback memory (off: plain block sliding window)"), controls);
    m_withFam->setChecked(true);
    m_stream = new QCheckBox(tr("Synthetic stream instead of the image"), controls);
    m_stream->setToolTip(tr("Random tokens of any length through the same blocks (causal inside a block), as "
                            "tokenscope fam --stream-length N runs them"));
    m_streamLength = makeSpin(controls, 1, kMaxGuiStream, 4096, tr("Tokens in the synthetic stream"));
    m_streamLength->setEnabled(false);
    form->addRow(tr("Block size b"), m_block);
    form->addRow(tr("Memory segments s"), m_memory);
    form->addRow(tr("FAM length f"), m_fam);
    form->addRow(m_withFam);
    form->addRow(m_stream);
    form->addRow(tr("Stream length"), m_streamLength);

    return controls;
}

QGroupBox* FamPanel::buildOverlayControls()
{
    auto* overlay = new QGroupBox(tr("Overlay"), this);
    auto* oform = new QFormLayout(overlay);
    m_overlayBlock = makeSpin(overlay, 0, 100000, 5, tr("The block whose attention is shown"));
    m_layer = makeSpin(overlay, 1, 64, 12, tr("The layer (1 = first block of the ViT); [ and ] step"));
    m_query = makeSpin(overlay, -1, 4096 + 256, -1,
                   tr("The query shown: 0..b-1 a token of the block, b..b+f-1 a FAM query; mean: the FAM queries' mean "
                      "(without FAM: the block's queries'). Click a patch to pick its token."));
    m_query->setSpecialValueText(tr("mean"));
    oform->addRow(tr("Block"), m_overlayBlock);
    oform->addRow(tr("Layer"), m_layer);
    oform->addRow(tr("Query"), m_query);
    m_range = new QComboBox(overlay);
    // In FamSettings::Range's order.
    m_range->addItem(tr("0 to the max shown"));
    m_range->addItem(tr("Data: the seen keys' range"));
    m_range->addItem(tr("Fixed: 0 to 1"));
    m_range->setToolTip(tr("Colour bar: from 0 to the largest weight; the smallest to the largest weight of the keys the query "
                           "sees (spreads near-uniform attention); or 0 to 1 for every block and layer, so frames compare"));
    oform->addRow(tr("Colour range"), m_range);
    connect(m_range, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_result)
            return;
        m_resultSettings.range = chosenRange();
        showFigure();
    });

    return overlay;
}

FamPanel::~FamPanel() = default;

void FamPanel::scheduleRun() { m_debounce->start(); }

void FamPanel::onResult(std::shared_ptr<FamResult> result)
{
    m_result = std::move(result);
    m_resultSettings = famSettingsAsRun(*m_result, m_runSettings);
    const FamResult& r = *m_result;
    showFigure();
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
    refreshInfo();
}

FamSettings::Range FamPanel::chosenRange() const { return static_cast<FamSettings::Range>(m_range->currentIndex()); }

void FamPanel::showFigure()
{
    m_overlay = std::make_shared<const FamOverlayData>(famOverlayData(*m_result, m_resultSettings.range));
    m_view->setFigure(famOverlayFigure(*m_result, m_resultSettings, m_overlay));
    m_view->setFillMinimum(usableFigureSize(famOverlaySpec(*m_overlay)));
}

void FamPanel::refreshInfo()
{
    const FamResult& r = *m_result;
    m_info->setText(tr("<b>Sequence</b>: %1 %2 in %3 blocks of %4, %5<br>"
                       "<b>Memory</b>: peak %6 MiB measured, %7 MiB estimated; flat in the sequence length<br>"
                       "<b>Time</b>: %8 s (%9 tokens/s)<br>"
                       "<b>Block %10, layer %11</b>, %12: %13<br>"
                       "<b>Weights</b>: %14")
                        .arg(r.length)
                        .arg(r.imageMode ? tr("patches (raster order)") : tr("synthetic tokens"))
                        .arg(r.blocks)
                        .arg(r.block)
                        .arg(r.causal ? tr("causal inside a block") : tr("bidirectional inside a block"))
                        .arg(r.peakMemoryBytes / 1048576.0, 0, 'f', 1)
                        .arg(r.estimatedMemoryBytes / 1048576.0, 0, 'f', 1)
                        .arg(r.seconds, 0, 'f', 2)
                        .arg(r.tokensPerSecond, 0, 'f', 0)
                        .arg(r.overlayBlock)
                        .arg(r.overlayLayer + 1)
                        .arg(famQueryText(r).toHtmlEscaped())
                        .arg(famSharesText(famShares(r)))
                        .arg(QString::fromStdString(r.weights).toHtmlEscaped()));
}

void FamPanel::pickPatch(const QPointF& point)
{
    if (!m_result || !m_result->imageMode)
        return;
    const int patch = famPatchAt(m_view->paintTarget(), *m_overlay, point);
    if (patch < 0)
        return;
    const QSignalBlocker blocker(m_overlayBlock); // one run for both changes
    m_overlayBlock->setValue(patch / m_result->block);
    m_query->setValue(patch % m_result->block);
    scheduleRun();
}

void FamPanel::runNow()
{
    m_debounce->stop();
    const bool stream = m_stream->isChecked();
    if (!stream && m_workspace->imageRgb().empty())
        return;
    FamRequest request;
    if (stream)
        request.streamLength = m_streamLength->value();
    else
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
    request.overlayQuery = m_query->value();
    const ModelSource source = m_workspace->modelSource();
    m_runner->start([request, source](const RunControl& control) mutable -> std::any {
        request.model = cachedVit(source, &control);
        // The sizes clamped to the sequence, as the figure's recipe then records them.
        const std::int64_t length = famSequenceLength(request);
        request.block = static_cast<int>(std::min<std::int64_t>(request.block, std::max<std::int64_t>(1, length)));
        const std::int64_t blocks = (length + request.block - 1) / request.block;
        request.overlayBlock = static_cast<int>(std::min<std::int64_t>(request.overlayBlock, blocks - 1));
        request.overlayLayer = std::min(request.overlayLayer, vitConfigOf(*request.model).depth - 1);
        const std::int64_t queries = famBlockTokens(length, request.block, request.overlayBlock) + request.fam;
        request.overlayQuery = static_cast<int>(std::min<std::int64_t>(request.overlayQuery, queries - 1));
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
    const bool stream = m_stream->isChecked();
    s.image = stream ? std::string() : m_workspace->imagePath().toStdString();
    s.streamLength = stream ? m_streamLength->value() : 0;
    s.block = m_block->value();
    s.memory = m_memory->value();
    s.fam = m_fam->value();
    s.withFam = m_withFam->isChecked();
    s.overlayBlock = m_overlayBlock->value();
    s.layer = m_layer->value();
    s.query = m_query->value();
    s.range = chosenRange();
    return s;
}

void FamPanel::applySettings(const FamSettings& s)
{
    const bool stream = s.image.empty() && s.streamLength > 0;
    m_stream->setChecked(stream);
    if (stream)
        m_streamLength->setValue(static_cast<int>(std::min<std::int64_t>(s.streamLength, kMaxGuiStream)));
    m_block->setValue(s.block);
    m_memory->setValue(s.memory);
    m_fam->setValue(s.fam);
    m_withFam->setChecked(s.withFam);
    m_overlayBlock->setValue(s.overlayBlock);
    m_layer->setValue(s.layer);
    m_query->setValue(s.query);
    {
        const QSignalBlocker blocker(m_range); // drawn with the next result
        m_range->setCurrentIndex(static_cast<int>(s.range));
    }
    scheduleRun();
}

QJsonObject FamPanel::saveState() const
{
    QJsonObject o = toQJson(toJson(settings()));
    o.remove("model"); // the session's top level holds the model for every lab
    o.remove("image"); // and the image; stream_length > 0 says the lab ran a stream instead
    return o;
}

QStringList FamPanel::restoreState(const QJsonObject& state)
{
    FamSettings s = settings();
    s.streamLength = 0;
    const QStringList problems = readSettings(state, s, "FAM");
    if (s.streamLength > 0)
        s.image.clear();
    else if (s.image.empty())
        s.image = m_workspace->imagePath().toStdString();
    applySettings(s);
    return problems;
}

} // namespace ts
