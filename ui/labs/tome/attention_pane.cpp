#include "ui/labs/tome/attention_pane.h"

#include "core/vit/attention_record.h"
#include "ui/figures/attention_figure.h"
#include "ui/jobs/job_runner.h"
#include "ui/shell/workspace.h"
#include "ui/widgets/figure_view.h"
#include "ui/widgets/lab_layout.h"
#include "ui/widgets/run_status.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace ts {

AttentionPane::AttentionPane(Workspace* workspace, std::function<ToMeSettings()> labSettings, QWidget* parent)
    : QObject(parent), m_workspace(workspace), m_labSettings(std::move(labSettings))
{
    m_runner = new JobRunner(this);
    buildControls(parent);
    m_area = new QWidget(parent);
    m_view = new FigureView(m_area);
    m_view->setFillsView(true); // laid out in the view, text at the type scale
    m_view->clear(tr("Attention runs when shown…"));
    m_scroll = new QScrollArea(m_area);
    m_scroll->setWidget(m_view);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_status = new RunStatus(m_runner, m_area, /*escape=*/false); // the ToMe status's Esc cancels this run too
    auto* layout = new QVBoxLayout(m_area);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_scroll, 1);
    layout->addWidget(m_status);
    m_area->setVisible(false);

    m_debounce = makeDebounce(parent, 120);
    connect(m_debounce, &QTimer::timeout, this, &AttentionPane::runNow);
    connect(m_show, &QCheckBox::toggled, this, &AttentionPane::onShownChanged);
    connect(m_block, &QSpinBox::valueChanged, this, &AttentionPane::scheduleRun);
    connect(m_head, &QComboBox::currentIndexChanged, this, &AttentionPane::scheduleRun);
    connect(m_rollout, &QCheckBox::toggled, this, &AttentionPane::scheduleRun);
    connect(m_range, &QComboBox::currentIndexChanged, this, &AttentionPane::refreshView);
    connect(m_runner, &JobRunner::finished, this, [this](const JobOutcome& outcome) {
        if (!outcome.error.isEmpty())
            return markStale(outcome.error); // RunStatus shows it too; the previous figure stays, marked
        m_result = std::any_cast<std::shared_ptr<AttentionResult>>(outcome.result);
        m_resultSettings = m_runSettings;
        setModelShape(m_result->config.depth, m_result->config.heads);
        m_status->setMessage(tr("Attention: block %1, %2 tokens%3")
                                 .arg(m_result->block + 1)
                                 .arg(m_result->tokens)
                                 .arg(m_result->merged ? tr(" (merged)") : QString()));
        refreshView();
    });
}

AttentionPane::~AttentionPane() = default;

void AttentionPane::buildControls(QWidget* parent)
{
    m_controls = new QGroupBox(tr("Attention"), parent);
    auto* form = new QFormLayout(m_controls);
    m_show = new QCheckBox(tr("Show the class token's attention"), m_controls);
    m_show->setToolTip(tr("Recorded only while shown: a second pass that keeps the chosen block's attention weights"));
    form->addRow(m_show);
    m_block = new QSpinBox(m_controls);
    m_block->setRange(0, 12);
    m_block->setSpecialValueText(tr("last"));
    m_block->setValue(0);
    m_block->setToolTip(tr("The block whose attention is drawn (1-based)"));
    form->addRow(tr("Block"), m_block);
    m_head = new QComboBox(m_controls);
    m_head->addItem(tr("Mean over heads"));
    form->addRow(tr("Head"), m_head);
    m_rollout = new QCheckBox(tr("Rollout over all blocks (Abnar && Zuidema)"), m_controls);
    m_rollout->setToolTip(tr("Attention rollout: the head mean plus identity, renormalised, multiplied over the blocks"));
    form->addRow(m_rollout);
    m_range = new QComboBox(m_controls);
    m_range->addItem(tr("Range of the values shown"));
    m_range->addItem(tr("From 0 to the maximum"));
    form->addRow(tr("Colours"), m_range);
    for (QWidget* w : std::initializer_list<QWidget*>{m_block, m_head, m_rollout, m_range})
        w->setEnabled(false);
}

void AttentionPane::setModelShape(int depth, int heads)
{
    const QSignalBlocker b1(m_block), b2(m_head);
    m_block->setMaximum(depth);
    const int head = m_pendingHead >= 0 ? m_pendingHead : m_head->currentIndex() - 1;
    if (m_head->count() != heads + 1) {
        m_head->clear();
        m_head->addItem(tr("Mean over heads"));
        for (int h = 0; h < heads; ++h)
            m_head->addItem(tr("Head %1").arg(h));
    }
    m_head->setCurrentIndex(head >= 0 && head < heads ? head + 1 : 0);
    m_pendingHead = -1;
}

AttentionSettings AttentionPane::settings() const
{
    AttentionSettings s;
    s.shown = m_show->isChecked();
    s.block = m_block->value() - 1; // 0 ("last") -> -1
    s.head = m_pendingHead >= 0 ? m_pendingHead : m_head->currentIndex() - 1;
    s.rollout = m_rollout->isChecked();
    s.range = m_range->currentIndex() == 1 ? AttentionSettings::Range::FromZero : AttentionSettings::Range::Data;
    return s;
}

void AttentionPane::applySettings(const AttentionSettings& s)
{
    const QSignalBlocker b1(m_block), b2(m_head), b3(m_rollout), b4(m_range);
    m_block->setMaximum(std::max(m_block->maximum(), s.block + 1));
    m_block->setValue(s.block + 1);
    if (s.head + 1 < m_head->count())
        m_head->setCurrentIndex(s.head + 1);
    m_pendingHead = s.head + 1 < m_head->count() ? -1 : s.head; // heads not known yet
    m_rollout->setChecked(s.rollout);
    m_range->setCurrentIndex(s.range == AttentionSettings::Range::FromZero ? 1 : 0);
    if (m_show->isChecked() != s.shown)
        m_show->setChecked(s.shown); // runs (or hides) through onShownChanged
    else
        scheduleRun();
}

bool AttentionPane::shown() const { return m_show->isChecked(); }

void AttentionPane::onShownChanged()
{
    const bool on = shown();
    for (QWidget* w : std::initializer_list<QWidget*>{m_block, m_head, m_rollout, m_range})
        w->setEnabled(on);
    m_area->setVisible(on);
    if (on) {
        scheduleRun();
        return;
    }
    m_debounce->stop();
    m_runner->cancel();
    m_result.reset(); // nothing kept while hidden
    m_view->clear(tr("Attention runs when shown…"));
}

void AttentionPane::scheduleRun()
{
    if (shown())
        m_debounce->start();
}

void AttentionPane::runNow()
{
    m_debounce->stop();
    if (!shown() || m_workspace->imageRgb().empty())
        return;
    ToMeSettings s = m_labSettings();
    s.attention = settings();
    m_runSettings = s;
    AttentionRequest request;
    request.imageRgb = m_workspace->imageRgb();
    request.normalisation = s.model.normalisation; // a checkpoint's side files decide, as in the ToMe run
    request.schedule = toMeScheduleOf(s);
    request.reduction = s.reduction;
    request.proportionalAttention = s.proportionalAttention;
    request.head = s.attention.head;
    request.rollout = s.attention.rollout;
    const ModelSource source = s.model.source;
    const int block = s.attention.block;
    m_runner->start([request, source, block](const RunControl& control) mutable -> std::any {
        request.model = cachedVit(source, &control);
        const VitConfig& c = vitConfigOf(*request.model);
        request.block = block < 0 ? c.depth - 1 : std::min(block, c.depth - 1);
        request.head = std::min(request.head, c.heads - 1);
        return std::make_shared<AttentionResult>(runAttention(request, control));
    });
}

void AttentionPane::markStale(const QString& reason)
{
    if (shown())
        m_view->setStale(reason);
}

void AttentionPane::cancel()
{
    m_debounce->stop();
    m_runner->cancel();
}

std::optional<Figure> AttentionPane::figure() const
{
    if (!m_result || !shown())
        return std::nullopt;
    ToMeSettings s = m_resultSettings;
    s.attention.range = settings().range; // the view's choice, no new run
    return attentionFigure(*m_result, s);
}

QByteArray AttentionPane::dataJson() const
{
    return m_result && shown() ? attentionResultJson(*m_result, !m_result->rolloutToPatches.empty()) : QByteArray();
}

void AttentionPane::refreshView()
{
    const std::optional<Figure> f = figure();
    if (!f)
        return;
    // The figure is laid out in the whole view with text at the type scale; its data areas
    // shrink with the view, which asks for the height that gives them about 200 px.
    const FigureSpec spec = attentionFigureSpec(attentionFigureData(*m_result, m_resultSettings));
    m_view->setFigure(*f);
    Q_EMIT figureNeeds(int(figureSizeFor(spec, QSizeF(200, 200)).height()) + m_status->sizeHint().height() + 8);
}

} // namespace ts
