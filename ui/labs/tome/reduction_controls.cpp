#include "ui/labs/tome/reduction_controls.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>

namespace ts {

namespace {

QDoubleSpinBox* fractionBox(QWidget* parent, double lo, double hi, double value, const QString& zeroText, const QString& tip)
{
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(lo, hi);
    box->setDecimals(3);
    box->setSingleStep(0.025);
    box->setValue(value);
    box->setSpecialValueText(zeroText); // shown at the minimum
    box->setToolTip(tip);
    return box;
}

} // namespace

ReductionControls::ReductionControls(QFormLayout* form, QWidget* parent) : QObject(parent), m_form(form)
{
    m_method = new QComboBox(parent);
    for (ReductionMethod m : {ReductionMethod::ToMe, ReductionMethod::PiToMe, ReductionMethod::Atc, ReductionMethod::EVit})
        m_method->addItem(QString::fromUtf8(reductionMethodTitle(m)), static_cast<int>(m));
    m_method->setToolTip(tr("ToMe: bipartite matching; PiToMe: energy-protected matching; ATC: agglomerative "
                            "clustering; EViT: attentive tokens kept, the rest fused"));
    form->addRow(tr("Method"), m_method);
    m_margin = fractionBox(parent, -1, 1, 0.9, QString(), tr("PiToMe's margin m0 (m = m0 - m0·l/L at block l of L)"));
    form->addRow(tr("Margin"), m_margin);
    m_keepRatio = fractionBox(parent, 0, 0.999, 0, tr("off (use r)"),
                              tr("PiToMe: every block keeps this share of its tokens (off: r per block)"));
    form->addRow(tr("Keep ratio"), m_keepRatio);
    m_linkage = new QComboBox(parent);
    for (Linkage l : {Linkage::Single, Linkage::Complete, Linkage::Average})
        m_linkage->addItem(QString::fromUtf8(linkageName(l)), static_cast<int>(l));
    m_linkage->setCurrentIndex(2);
    m_linkage->setToolTip(tr("ATC: how the distance between two clusters of keys is measured"));
    form->addRow(tr("Linkage"), m_linkage);
    m_keepRate = fractionBox(parent, 0, 1, 0, tr("off (use r)"), tr("EViT: share of tokens kept at each reduction layer"));
    form->addRow(tr("Keep rate"), m_keepRate);
    m_layers = new QLineEdit(parent);
    m_layers->setPlaceholderText(tr("4,7,10 of 12 (the paper's)"));
    m_layers->setToolTip(tr("EViT: the blocks that prune (1-based, comma-separated)"));
    form->addRow(tr("Layers"), m_layers);

    auto emitChanged = [this] {
        if (!m_applying)
            Q_EMIT changed();
    };
    connect(m_method, &QComboBox::currentIndexChanged, this, [this, emitChanged] {
        showRows();
        emitChanged();
    });
    connect(m_margin, &QDoubleSpinBox::valueChanged, this, emitChanged);
    connect(m_keepRatio, &QDoubleSpinBox::valueChanged, this, emitChanged);
    connect(m_linkage, &QComboBox::currentIndexChanged, this, emitChanged);
    connect(m_keepRate, &QDoubleSpinBox::valueChanged, this, emitChanged);
    connect(m_layers, &QLineEdit::editingFinished, this, emitChanged);
    showRows();
}

void ReductionControls::showRows()
{
    const auto method = static_cast<ReductionMethod>(m_method->currentData().toInt());
    m_form->setRowVisible(m_margin, method == ReductionMethod::PiToMe);
    m_form->setRowVisible(m_keepRatio, method == ReductionMethod::PiToMe);
    m_form->setRowVisible(m_linkage, method == ReductionMethod::Atc);
    m_form->setRowVisible(m_keepRate, method == ReductionMethod::EVit);
    m_form->setRowVisible(m_layers, method == ReductionMethod::EVit);
}

ReductionOptions ReductionControls::options() const
{
    ReductionOptions o;
    o.method = static_cast<ReductionMethod>(m_method->currentData().toInt());
    o.margin = m_margin->value();
    o.linkage = static_cast<Linkage>(m_linkage->currentData().toInt());
    if (o.method == ReductionMethod::PiToMe)
        o.keepRatio = m_keepRatio->value();
    if (o.method == ReductionMethod::EVit) {
        o.keepRate = m_keepRate->value();
        for (const QString& item : m_layers->text().split(',', Qt::SkipEmptyParts)) {
            bool ok = false;
            const int block = item.trimmed().toInt(&ok);
            if (ok && block >= 1)
                o.layers.push_back(block - 1);
        }
    }
    return o;
}

void ReductionControls::setOptions(const ReductionOptions& o)
{
    m_applying = true;
    m_method->setCurrentIndex(m_method->findData(static_cast<int>(o.method)));
    m_margin->setValue(o.margin);
    m_keepRatio->setValue(o.keepRatio);
    m_linkage->setCurrentIndex(m_linkage->findData(static_cast<int>(o.linkage)));
    m_keepRate->setValue(o.keepRate);
    QStringList layers;
    for (int l : o.layers)
        layers << QString::number(l + 1);
    m_layers->setText(layers.join(','));
    m_applying = false;
    showRows();
    Q_EMIT changed();
}

bool ReductionControls::replacesSchedule() const
{
    const ReductionOptions o = options();
    return (o.method == ReductionMethod::PiToMe && o.keepRatio > 0) || (o.method == ReductionMethod::EVit && o.keepRate > 0);
}

} // namespace ts
