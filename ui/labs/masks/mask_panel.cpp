#include "ui/labs/masks/mask_panel.h"

#include "core/masks/mask_spec.h"
#include "ui/figures/receptive_field_figure.h"
#include "ui/labs/masks/mask_view.h"
#include "ui/shell/settings_state.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPainter>
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

MaskPanel::MaskPanel(QWidget* parent) : LabPanel(parent)
{
    QWidget* controls = createControls();
    m_view = new MaskView;
    m_field = new ReceptiveFieldView;
    m_field->setMinimumHeight(150);
    m_hover = new QLabel(tr("Hover over a mask to read query, key and kind · wheel: zoom, drag: pan, double-click: whole mask"));
    m_hover->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* right = new QVBoxLayout;
    right->addWidget(m_view, 3);
    right->addWidget(m_hover);
    right->addWidget(m_field, 1);
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(controls);
    layout->addLayout(right, 1);
    connectControls();
    rebuild();
}

QWidget* MaskPanel::createControls()
{
    auto* form = new QFormLayout;
    const QStringList kinds = {"full", "causal", "swa", "bswa", "fam", "fit-local", "fit-latent-read",
                               "fit-global", "fit-data-read", "fit", "fit-ar"};
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
    m_causal = new QCheckBox(tr("causal inside the block (the paper)"));
    m_causal->setChecked(true);
    m_ar = new QCheckBox(tr("FIT-AR variant of the FIT stages"));
    form->addRow(tr("Length L"), m_length);
    form->addRow(tr("Window w (SWA)"), m_window);
    form->addRow(tr("Block b"), m_block);
    form->addRow(tr("Memory segments s"), m_memory);
    form->addRow(tr("FAM length f"), m_fam);
    form->addRow(tr("Group n (FIT)"), m_group);
    form->addRow(tr("Latents m (FIT)"), m_latents);
    form->addRow(QString(), m_causal);
    form->addRow(QString(), m_ar);
    form->addRow(tr("Width for cost"), m_width);
    form->addRow(tr("Receptive-field depth"), m_depth);
    m_error = new QLabel;
    m_error->setWordWrap(true);
    styleAsErrorText(m_error);
    form->addRow(m_error);

    auto* controls = new QWidget;
    controls->setLayout(form);
    controls->setMaximumWidth(320);
    return controls;
}

void MaskPanel::connectControls()
{
    for (QComboBox* box : m_kind)
        connect(box, &QComboBox::currentIndexChanged, this, &MaskPanel::rebuild);
    for (QSpinBox* box : {m_length, m_window, m_block, m_memory, m_fam, m_group, m_latents, m_width, m_depth})
        connect(box, &QSpinBox::valueChanged, this, &MaskPanel::rebuild);
    connect(m_causal, &QCheckBox::toggled, this, &MaskPanel::rebuild);
    connect(m_ar, &QCheckBox::toggled, this, &MaskPanel::rebuild);
    connect(m_view, &MaskView::hovered, m_hover, &QLabel::setText);
}

void MaskPanel::rebuild()
{
    std::vector<std::shared_ptr<const AttentionMask>> masks;
    m_error->clear();
    try {
        const MaskSettings shown = settings();
        for (const std::string& kind : shown.kinds)
            masks.push_back(std::shared_ptr<const AttentionMask>(makeMask(maskSpecOf(shown, kind))));
    } catch (const std::exception& e) {
        m_error->setText(QString::fromUtf8(e.what()));
        return; // keep the last valid picture
    }
    m_view->setMasks(masks, m_width->value());
    std::optional<ReceptiveFieldData> field;
    const AttentionMask& first = *masks.front();
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

QString MaskPanel::errorText() const { return m_error->text(); }

QString MaskPanel::receptiveFieldText() const
{
    const auto& d = m_field->data();
    return d && !d->fields.empty() ? QString::fromStdString(d->fields.back().note) : QString();
}

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
                                                       {"width", m_width},   {"depth", m_depth}};
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
