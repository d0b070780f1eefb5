#include "ui/labs/masks/mask_panel.h"

#include "core/masks/mask_spec.h"
#include "core/settings/settings_json.h"
#include "core/tome/tome_source_map.h"
#include "core/util/error.h"
#include "core/vit/vit_api.h"
#include "ui/figures/receptive_field_figure.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/masks/mask_view.h"
#include "ui/shell/settings_state.h"
#include "ui/shell/workspace.h"
#include "ui/widgets/lab_layout.h"
#include "ui/widgets/run_status.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ts {

// The receptive-field figure of the first scheme (Fig. 1(d)).
class ReceptiveFieldView : public QWidget {
public:
    using QWidget::QWidget;
    void setData(std::optional<ReceptiveFieldData> data)
    {
        m_data = std::move(data);
        update();
    }
    const std::optional<ReceptiveFieldData>& data() const { return m_data; }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.setBackground(palette().brush(QPalette::Base)); // figure text follows it (figure_colours.h)
        p.fillRect(rect(), p.background());
        p.setPen(palette().color(QPalette::Text));
        if (m_data)
            paintReceptiveField(p, QRectF(rect()), *m_data);
        else
            p.drawText(rect(), Qt::AlignCenter, tr("Receptive field: needs a mask over one sequence"));
    }

private:
    std::optional<ReceptiveFieldData> m_data;
};

namespace {

QSpinBox* spin(int min, int max, int value)
{
    auto* s = new QSpinBox;
    s->setRange(min, max);
    s->setValue(value);
    s->setKeyboardTracking(false);
    return s;
}

} // namespace

MaskPanel::MaskPanel(QWidget* parent) : MaskPanel(nullptr, parent) {}

MaskPanel::MaskPanel(Workspace* workspace, QWidget* parent) : LabPanel(parent), m_workspace(workspace)
{
    m_runner = new JobRunner(this);
    m_status = new RunStatus(m_runner, this);
    QWidget* controls = createControls();
    m_view = new MaskView;
    m_field = new ReceptiveFieldView;
    m_field->setMinimumHeight(150);
    // On screen only: the figure and its exports never carry this hint.
    m_hover = new QLabel(hoverHint());
    m_hover->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* right = new QVBoxLayout;
    right->addWidget(scrollingView(m_view, this), 3); // scrolls below its minimum size
    right->addWidget(m_hover);
    right->addWidget(m_field, 1);
    right->addWidget(m_status);
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(controls);
    layout->addLayout(right, 1);
    connectControls();
    rebuild();
}

QString MaskPanel::hoverHint() { return tr("Hover over a mask to read query, key and kind · wheel: zoom, drag: pan, double-click: whole mask"); }

QWidget* MaskPanel::createControls()
{
    auto* form = new QFormLayout;
    QStringList kinds; // every kind the command line offers, ToMe's effective mask included
    for (const std::string& kind : maskKinds())
        kinds << QString::fromStdString(kind);
    for (int i = 0; i < 3; ++i) {
        m_kind[i] = new QComboBox;
        if (i > 0)
            m_kind[i]->addItem(tr("(none)"));
        m_kind[i]->addItems(kinds);
        form->addRow(i == 0 ? tr("Scheme") : tr("Compare with"), m_kind[i]);
    }
    m_kind[0]->setCurrentText("fam");
    m_kind[1]->setCurrentText("bswa");
    // Sizes as in TransformerFAM Fig. 1/2 to start with; everything up to 1e9 tokens.
    m_length = spin(-1, 1'000'000'000, 16);
    m_window = spin(-1, 1'000'000'000, 3);
    m_block = spin(-1, 1'000'000'000, 2);
    m_memory = spin(-1, 1'000'000, 1);
    m_fam = spin(-1, 1'000'000, 1);
    m_group = spin(-1, 1'000'000, 4);
    m_latents = spin(-1, 1'000'000, 2);
    m_width = spin(1, 1 << 20, 384);
    m_depth = spin(1, 4096, 4);
    m_tomeR = spin(0, 100000, 8);
    m_tomeR->setToolTip(tr("ToMe mask: tokens merged per block, on the workspace image and model"));
    m_tomeLayer = spin(-1, 100000, -1);
    m_tomeLayer->setSpecialValueText(tr("last"));
    m_tomeLayer->setToolTip(tr("ToMe mask: the block after which the merged sequence is taken"));
    m_causal = new QCheckBox(tr("Causal inside the block (the paper)"));
    m_causal->setChecked(true);
    m_ar = new QCheckBox(tr("FIT-AR variant of the FIT stages"));
    for (QCheckBox* box : {m_causal, m_ar})
        box->setSizePolicy(QSizePolicy::MinimumExpanding, QSizePolicy::Fixed); // never narrower than its label
    form->addRow(tr("Length L"), m_length);
    form->addRow(tr("Window w (SWA)"), m_window);
    form->addRow(tr("Block b"), m_block);
    form->addRow(tr("Memory segments s"), m_memory);
    form->addRow(tr("FAM length f"), m_fam);
    form->addRow(tr("Group n (FIT)"), m_group);
    form->addRow(tr("Latents m (FIT)"), m_latents);
    form->addRow(tr("ToMe r"), m_tomeR);
    form->addRow(tr("ToMe after block"), m_tomeLayer);
    form->addRow(m_causal); // across both columns: the label is never cut
    form->addRow(m_ar);
    form->addRow(tr("Width for cost"), m_width);
    form->addRow(tr("Receptive-field depth"), m_depth);
    m_error = new QLabel;
    m_error->setWordWrap(true);
    styleAsErrorText(m_error);
    form->addRow(m_error);

    auto* controls = new QWidget;
    controls->setLayout(form);
    controls->setMaximumWidth(360);
    return controls;
}

void MaskPanel::connectControls()
{
    for (QComboBox* box : m_kind)
        connect(box, &QComboBox::currentIndexChanged, this, &MaskPanel::rebuild);
    for (QSpinBox* box : {m_length, m_window, m_block, m_memory, m_fam, m_group, m_latents, m_width, m_depth, m_tomeR, m_tomeLayer})
        connect(box, &QSpinBox::valueChanged, this, &MaskPanel::rebuild);
    connect(m_causal, &QCheckBox::toggled, this, &MaskPanel::rebuild);
    connect(m_ar, &QCheckBox::toggled, this, &MaskPanel::rebuild);
    connect(m_view, &MaskView::hovered, this, [this](const QString& text) { m_hover->setText(text.isEmpty() ? hoverHint() : text); });
    connect(m_runner, &JobRunner::finished, this, &MaskPanel::onToMeFinished);
    if (m_workspace) { // a new image or model makes a new ToMe mask
        auto rerun = [this] {
            m_tomeMap.reset();
            if (usesToMe())
                rebuild();
        };
        connect(m_workspace, &Workspace::imageChanged, this, rerun);
        connect(m_workspace, &Workspace::modelSourceChanged, this, rerun);
    }
}

void MaskPanel::rebuild()
{
    std::vector<std::shared_ptr<const AttentionMask>> masks;
    m_error->clear();
    try {
        const MaskSettings shown = settings();
        if (usesToMe() && !toMeMapCurrent(shown)) {
            startToMe(shown); // rebuilt when it arrives; the last picture stays meanwhile
            return;
        }
        for (const std::string& kind : shown.kinds) {
            MaskSpec spec = maskSpecOf(shown, kind);
            if (kind == "tome") {
                spec.tokenOfPatch = m_tomeMap->map->tokenOfPatch;
                spec.tomeLayer = m_tomeMap->map->layer;
                spec.length = static_cast<std::int64_t>(spec.tokenOfPatch.size()) + 1;
            }
            masks.push_back(std::shared_ptr<const AttentionMask>(makeMask(spec)));
        }
    } catch (const std::exception& e) {
        m_error->setText(QString::fromUtf8(e.what()));
        return; // keep the last valid picture
    }
    m_view->setMasks(masks, m_width->value(), m_block->value(), m_group->value());
    showReceptiveField(*masks.front());
}

void MaskPanel::showReceptiveField(const AttentionMask& first)
{
    std::optional<ReceptiveFieldData> field;
    if (first.square()) {
        // The last data query: for FAM the last block's last token (its FAM row comes after it).
        std::int64_t query = first.queries() - 1;
        std::vector<KeyRange> row;
        first.keyRanges(query, row);
        if (first.feedbackMemory())
            query = row.back().end - 1;
        field = receptiveFieldData(first, query, m_depth->value());
    }
    m_field->setData(field);
}

bool MaskPanel::usesToMe() const
{
    for (QComboBox* box : m_kind)
        if (box->currentText() == "tome")
            return true;
    return false;
}

bool MaskPanel::toMeMapCurrent(const MaskSettings& s) const
{
    return m_tomeMap && m_tomeMap->image == s.tomeImage && m_tomeMap->model == toJson(s.tomeModel).dump() && m_tomeMap->r == s.tomeR
           && m_tomeMap->layer == s.tomeLayer;
}

void MaskPanel::startToMe(const MaskSettings& s)
{
    if (!m_workspace)
        throw Error("tome: the ToMe mask needs the workspace's image and model (open the lab in the main window)");
    const ModelSource source = m_workspace->modelSource();
    const cv::Mat image = m_workspace->imageRgb();
    const Normalisation norm = m_workspace->normalisation();
    const int r = s.tomeR, layer = s.tomeLayer;
    m_pendingToMe = ToMeMaskRun{s.tomeImage, toJson(s.tomeModel).dump(), r, layer, nullptr};
    m_error->setText(tr("Running ToMe on the image (r = %1)…").arg(r));
    m_runner->start([source, image, norm, r, layer](const RunControl& control) -> std::any {
        ToMeRequest request;
        request.model = cachedVit(source, &control);
        request.imageRgb = image;
        request.normalisation = norm;
        request.schedule = ToMeSchedule::constant(r);
        return std::make_shared<ToMeSourceMap>(runToMeSourceMap(request, layer, control));
    });
}

void MaskPanel::onToMeFinished(const JobOutcome& outcome)
{
    if (!outcome.error.isEmpty()) {
        m_error->setText(tr("tome: %1").arg(outcome.error));
        return;
    }
    if (!m_pendingToMe)
        return;
    m_tomeMap = *m_pendingToMe;
    m_tomeMap->map = std::any_cast<std::shared_ptr<ToMeSourceMap>>(outcome.result);
    m_pendingToMe.reset();
    rebuild();
}

QString MaskPanel::errorText() const { return m_error->text(); }

QString MaskPanel::receptiveFieldText() const
{
    const auto& d = m_field->data();
    return d && !d->fields.empty() ? QString::fromStdString(d->fields.back().note) : QString();
}

QString MaskPanel::hoverText() const { return m_hover->text(); }

std::optional<Figure> MaskPanel::currentFigure() const
{
    if (m_view->figureData().panels.empty())
        return std::nullopt;
    return maskFigure(m_view->figureData(), settings());
}

QSpinBox* MaskPanel::sizeBox(const char* name) const
{
    const std::pair<const char*, QSpinBox*> boxes[] = {{"window", m_window}, {"block", m_block},   {"memory", m_memory},
                                                       {"fam", m_fam},       {"group", m_group},   {"latents", m_latents},
                                                       {"width", m_width},   {"depth", m_depth},   {"tome-r", m_tomeR},
                                                       {"tome-layer", m_tomeLayer}};
    for (const auto& [n, box] : boxes)
        if (QString(n) == name)
            return box;
    return nullptr;
}

MaskSettings MaskPanel::settings() const
{
    MaskSettings s = m_view->viewSettings();
    s.kinds = {m_kind[0]->currentText().toStdString()};
    for (int i = 1; i < 3; ++i)
        if (m_kind[i]->currentIndex() > 0)
            s.kinds.push_back(m_kind[i]->currentText().toStdString());
    s.length = m_length->value();
    s.window = m_window->value();
    s.block = m_block->value();
    s.memory = m_memory->value();
    s.fam = m_fam->value();
    s.group = m_group->value();
    s.latents = m_latents->value();
    s.causal = m_causal->isChecked();
    s.autoregressive = m_ar->isChecked();
    s.width = m_width->value();
    s.depth = m_depth->value();
    s.tomeR = m_tomeR->value();
    s.tomeLayer = m_tomeLayer->value();
    if (usesToMe() && m_workspace) { // the recipe names the image and model the mask came from
        s.tomeImage = m_workspace->imagePath().toStdString();
        s.tomeModel = m_workspace->modelSettings();
    }
    return s;
}

void MaskPanel::applySettings(const MaskSettings& s)
{
    for (int i = 0; i < 3; ++i) {
        const int at = i < int(s.kinds.size()) ? m_kind[i]->findText(QString::fromStdString(s.kinds[static_cast<std::size_t>(i)])) : 0;
        m_kind[i]->setCurrentIndex(std::max(0, at));
    }
    const std::pair<QSpinBox*, std::int64_t> sizes[] = {{m_length, s.length}, {m_window, s.window}, {m_block, s.block},
                                                        {m_memory, s.memory}, {m_fam, s.fam},       {m_group, s.group},
                                                        {m_latents, s.latents}, {m_width, s.width}, {m_depth, s.depth}};
    for (const auto& [box, value] : sizes)
        box->setValue(static_cast<int>(std::clamp<std::int64_t>(value, box->minimum(), box->maximum())));
    m_causal->setChecked(s.causal);
    m_ar->setChecked(s.autoregressive);
    m_tomeR->setValue(std::clamp(s.tomeR, m_tomeR->minimum(), m_tomeR->maximum()));
    m_tomeLayer->setValue(std::clamp(s.tomeLayer, m_tomeLayer->minimum(), m_tomeLayer->maximum()));
    rebuild();
    if (s.zoomed())
        m_view->setRegion(MaskRegion{*s.region[0], *s.region[1], *s.region[2], *s.region[3]});
}

QJsonObject MaskPanel::saveState() const
{
    QJsonObject o = toQJson(toJson(settings()));
    o.remove("pixels"); // follow the view's size where the session opens
    o.remove("panel_side");
    return o;
}

QStringList MaskPanel::restoreState(const QJsonObject& state)
{
    MaskSettings s = settings();
    s.region[0] = s.region[1] = s.region[2] = s.region[3] = std::nullopt; // a session without a zoom shows the whole mask
    QStringList problems = readSettings(state, s, "Masks");
    for (int i = 0; i < int(s.kinds.size()) && i < 3; ++i)
        if (m_kind[i]->findText(QString::fromStdString(s.kinds[static_cast<std::size_t>(i)])) < 0)
            problems << tr("Masks: kinds: '%1' is not offered by the mask lab").arg(QString::fromStdString(s.kinds[static_cast<std::size_t>(i)]));
    applySettings(s);
    return problems;
}

QByteArray MaskPanel::currentDataJson() const
{
    QJsonObject o;
    QJsonArray schemes;
    for (const auto& panel : m_view->figureData().panels)
        schemes.append(panel.title);
    o["schemes"] = schemes;
    o["length"] = m_length->value();
    o["window"] = m_window->value();
    o["block"] = m_block->value();
    o["memory"] = m_memory->value();
    o["fam"] = m_fam->value();
    o["group"] = m_group->value();
    o["latents"] = m_latents->value();
    o["causal"] = m_causal->isChecked();
    const MaskRegion& r = m_view->region();
    o["region"] = QJsonArray{static_cast<qint64>(r.q0), static_cast<qint64>(r.q1), static_cast<qint64>(r.k0),
                             static_cast<qint64>(r.k1)};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace ts
