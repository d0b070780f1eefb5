#include "ui/labs/tome/merge_display_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>

#include <cmath>

namespace ts {

MergeDisplayControls::MergeDisplayControls(QWidget* parent) : QGroupBox(tr("Display"), parent)
{
    auto* form = new QFormLayout(this);
    m_layer = new QSlider(Qt::Horizontal, this);
    m_layer->setRange(0, 12);
    m_layer->setValue(12);
    m_layer->setToolTip(tr("Layer: replays the recorded merges (no new run). Keys [ and ] step."));
    m_layerLabel = new QLabel(this);
    auto* layerRow = new QHBoxLayout;
    layerRow->addWidget(m_layer, 1);
    layerRow->addWidget(m_layerLabel);
    form->addRow(tr("After block"), layerRow);
    m_opacity = new QSlider(Qt::Horizontal, this);
    m_opacity->setRange(0, 100);
    m_opacity->setValue(100);
    m_opacity->setToolTip(tr("Map opacity over the input (100%: map alone)"));
    form->addRow(tr("Map opacity"), m_opacity);
    m_colours = new QComboBox(this);
    m_colours->addItem(tr("Mean colour of the group"));
    m_colours->addItem(tr("Random colour per group"));
    m_colours->setToolTip(tr("Random: a distinct colour for every group, as in the ToMe paper's figures"));
    form->addRow(tr("Colours"), m_colours);
    m_borders = new QCheckBox(tr("Borders between groups"), this);
    m_borders->setChecked(true);
    form->addRow(m_borders);

    connect(m_layer, &QSlider::valueChanged, this, &MergeDisplayControls::changed);
    connect(m_opacity, &QSlider::valueChanged, this, &MergeDisplayControls::changed);
    connect(m_colours, &QComboBox::currentIndexChanged, this, &MergeDisplayControls::changed);
    connect(m_borders, &QCheckBox::toggled, this, &MergeDisplayControls::changed);
}

void MergeDisplayControls::writeTo(ToMeSettings& s) const
{
    s.layer = m_layer->value();
    s.opacity = m_opacity->value() / 100.0;
    s.borders = m_borders->isChecked();
    s.colours = m_colours->currentIndex() == 1 ? ToMeSettings::Colours::Random : ToMeSettings::Colours::Mean;
}

void MergeDisplayControls::apply(const ToMeSettings& s)
{
    m_opacity->setValue(static_cast<int>(std::lround(s.opacity * 100)));
    m_borders->setChecked(s.borders);
    m_colours->setCurrentIndex(s.colours == ToMeSettings::Colours::Random ? 1 : 0);
    if (s.layer >= 0) { // else: the last block, as a new result sets it
        m_layer->setMaximum(std::max(m_layer->maximum(), s.layer));
        m_layer->setValue(s.layer);
    }
}

void MergeDisplayControls::setDepth(int depth) { m_layer->setRange(0, depth); }

void MergeDisplayControls::updateLabel(int depth) { m_layerLabel->setText(QString("%1 / %2").arg(m_layer->value()).arg(depth)); }

} // namespace ts
