#include "ui/widgets/model_controls.h"

#include "core/vit/vit_api.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/run_status.h"
#include "ui/shell/workspace.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ts {

ModelControls::ModelControls(Workspace* workspace, QWidget* parent) : QWidget(parent), m_workspace(workspace)
{
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildImageBox());
    layout->addWidget(buildModelBox());
    m_runner = new JobRunner(this);
    // Esc is the current lab's (two Esc shortcuts in one window are ambiguous, and Qt then fires
    // neither); a checkpoint load stops with this status's Cancel button.
    m_status = new RunStatus(m_runner, this, /*escape=*/false);
    layout->addWidget(m_status);
    layout->addStretch(1);

    connectControls();
    refreshLabels();
}

// The image's name and size and the Open Image button.
QGroupBox* ModelControls::buildImageBox()
{
    auto* imageBox = new QGroupBox(tr("Image"), this);
    auto* imageLayout = new QVBoxLayout(imageBox);
    m_imageLabel = new QLabel(imageBox);
    m_imageLabel->setWordWrap(true);
    auto* open = new QPushButton(tr("Open Image…"), imageBox);
    open->setToolTip(tr("Open a photograph (or drop one on the window)"));
    imageLayout->addWidget(m_imageLabel);
    imageLayout->addWidget(open);
    connect(open, &QPushButton::clicked, this, &ModelControls::openImageRequested);

    return imageBox;
}

// Preset, input size, seed, normalisation, and the checkpoint buttons.
QGroupBox* ModelControls::buildModelBox()
{
    auto* modelBox = new QGroupBox(tr("Model"), this);
    auto* form = new QFormLayout(modelBox);
    m_preset = new QComboBox(modelBox);
    for (const VitConfig& c : vitPresets())
        m_preset->addItem(QString::fromStdString(vitDisplayName(c)), QString::fromStdString(c.name));
    m_preset->setCurrentIndex(m_preset->findData(QStringLiteral("vit-s16")));
    m_size = new QSpinBox(modelBox);
    m_size->setRange(32, 1024);
    m_size->setSingleStep(16);
    m_size->setValue(224);
    m_size->setSuffix(tr(" px"));
    m_size->setToolTip(tr("Input size (a multiple of the patch size); the position embedding is resized bicubically"));
    m_seed = new QSpinBox(modelBox);
    m_seed->setRange(0, 1000000);
    form->addRow(tr("Preset"), m_preset);
    form->addRow(tr("Input size"), m_size);
    form->addRow(tr("Seed"), m_seed);
    m_normalisation = new QComboBox(modelBox);
    m_normalisation->addItem(tr("ImageNet mean/std"));
    m_normalisation->addItem(tr("0.5 / 0.5 (timm Inception-style)"));
    m_normalisation->addItem(tr("None (0 / 1)"));
    m_normalisation->setToolTip(tr("Per-channel normalisation of the input; use what the checkpoint was trained with"));
    form->addRow(tr("Normalise"), m_normalisation);
    auto* load = new QPushButton(tr("Load Checkpoint…"), modelBox);
    load->setToolTip(tr("A .safetensors ViT checkpoint in timm's or transformers' layout (F32, F16 or BF16); "
                        "config.json and preprocessor_config.json beside it are read"));
    m_useRandom = new QPushButton(tr("Use Random Weights"), modelBox);
    auto* save = new QPushButton(tr("Save Weights…"), modelBox);
    save->setToolTip(tr("Write the current weights as a timm-named .safetensors file"));
    form->addRow(load);
    form->addRow(m_useRandom);
    form->addRow(save);
    m_weightsLabel = new QLabel(modelBox);
    m_weightsLabel->setWordWrap(true);
    form->addRow(m_weightsLabel);

    connect(load, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load Checkpoint"), {},
                                                          tr("safetensors checkpoints (*.safetensors);;All files (*)"));
        if (!path.isEmpty())
            loadCheckpoint(path);
    });
    connect(save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save Weights"), QStringLiteral("tokenscope_vit.safetensors"),
                                                          tr("safetensors (*.safetensors)"));
        if (!path.isEmpty())
            saveWeights(path);
    });
    return modelBox;
}

void ModelControls::connectControls()
{
    connect(m_normalisation, &QComboBox::currentIndexChanged, this, [this](int index) {
        Normalisation n;
        const float mean = index == 1 ? 0.5f : 0.0f, std = index == 1 ? 0.5f : 1.0f;
        if (index > 0) {
            for (int c = 0; c < 3; ++c) {
                n.mean[c] = mean;
                n.std[c] = std;
            }
        }
        m_workspace->setNormalisation(n);
    });
    connect(m_preset, &QComboBox::currentIndexChanged, this, &ModelControls::applyControls);
    connect(m_size, &QSpinBox::editingFinished, this, &ModelControls::applyControls);
    connect(m_seed, &QSpinBox::editingFinished, this, &ModelControls::applyControls);
    connect(m_useRandom, &QPushButton::clicked, this, [this] {
        ModelSource s = m_workspace->modelSource();
        s.checkpoint.clear();
        m_workspace->setModelSource(s);
    });
    connect(m_runner, &JobRunner::finished, this, [this](const JobOutcome& outcome) {
        if (!outcome.error.isEmpty())
            return; // shown by the status line; the previous model stays
        if (const auto* loaded = std::any_cast<std::pair<ModelSource, QString>>(&outcome.result)) {
            m_detected = loaded->second;
            m_detectedFor = QString::fromStdString(loaded->first.checkpoint);
            m_workspace->setModelSource(loaded->first);
            m_status->setMessage(tr("Loaded %1").arg(QString::fromStdString(loaded->first.checkpoint)));
        } else if (const auto* saved = std::any_cast<QString>(&outcome.result)) {
            m_status->setMessage(tr("Saved %1").arg(*saved));
        }
    });
    connect(m_workspace, &Workspace::imageChanged, this, &ModelControls::refreshLabels);
    connect(m_workspace, &Workspace::modelSourceChanged, this, &ModelControls::refreshLabels);
}

void ModelControls::applyControls()
{
    ModelSource s = m_workspace->modelSource();
    s.preset = m_preset->currentData().toString().toStdString();
    // Round to the patch size so the input always forms a grid.
    const int size = std::max(16, (m_size->value() + 8) / 16 * 16);
    if (size != m_size->value())
        m_size->setValue(size);
    s.imageSize = size;
    s.seed = static_cast<std::uint64_t>(m_seed->value());
    m_workspace->setModelSource(s);
}

void ModelControls::loadCheckpoint(const QString& path)
{
    ModelSource s = m_workspace->modelSource();
    s.checkpoint = path.toStdString();
    // Validate by building it on the worker thread; the workspace changes only on success.
    m_runner->start([s](const RunControl& control) -> std::any {
        const QString detected = QString::fromStdString(describeModel(*cachedVit(s, &control)));
        return std::make_pair(s, detected);
    });
}

void ModelControls::saveWeights(const QString& path)
{
    const ModelSource s = m_workspace->modelSource();
    m_runner->start([s, path](const RunControl& control) -> std::any {
        saveVitCheckpoint(*cachedVit(s, &control), path.toStdString());
        return path;
    });
}

void ModelControls::syncFromWorkspace()
{
    const ModelSource& s = m_workspace->modelSource();
    const QSignalBlocker b1(m_preset), b2(m_size), b3(m_seed), b4(m_normalisation);
    m_preset->setCurrentIndex(std::max(0, m_preset->findData(QString::fromStdString(s.preset))));
    m_size->setValue(s.imageSize);
    m_seed->setValue(static_cast<int>(std::min<std::uint64_t>(s.seed, 1000000)));
    const Normalisation& n = m_workspace->normalisation();
    m_normalisation->setCurrentIndex(n.mean[0] == 0.5f ? 1 : n.mean[0] == 0.0f && n.std[0] == 1.0f ? 2 : 0);
}

void ModelControls::refreshLabels()
{
    syncFromWorkspace();
    const QString path = m_workspace->imagePath();
    QString text = path.startsWith(":/") ? tr("Bundled sample: %1").arg(QFileInfo(path).fileName()) : QFileInfo(path).fileName();
    if (!m_workspace->image().isNull())
        text += tr(" (%1 × %2 px)").arg(m_workspace->image().width()).arg(m_workspace->image().height());
    if (!m_workspace->imageNotice().isEmpty())
        text += "\n" + m_workspace->imageNotice();
    m_imageLabel->setText(text);
    const ModelSource& s = m_workspace->modelSource();
    m_useRandom->setEnabled(!s.isRandom());
    m_preset->setEnabled(s.isRandom());
    m_seed->setEnabled(s.isRandom());
    if (s.isRandom())
        m_weightsLabel->setText(tr("<b>Random weights</b> (seed %1): a seeded initialisation, not a trained model. "
                                   "Merges follow image similarity through random projections; class predictions are meaningless.")
                                    .arg(s.seed));
    else
        m_weightsLabel->setText(tr("<b>Checkpoint</b>: %1").arg(QString::fromStdString(s.checkpoint).toHtmlEscaped())
                                + (m_detectedFor == QString::fromStdString(s.checkpoint)
                                       ? "<br>" + m_detected.toHtmlEscaped().replace('\n', "<br>")
                                       : QString()));
}

} // namespace ts
