#include "ui/shell/workspace.h"

#include "ui/figures/figure_recipe.h"

#include "core/io/image_io.h"
#include "core/util/error.h"

#include <QFile>
#include <QFileInfo>

// Resources compiled into a static library must be registered explicitly.
static void registerBundledResources()
{
    static const bool once = [] {
        Q_INIT_RESOURCE(tokenscope);
        return true;
    }();
    (void)once;
}

namespace ts {

Workspace::Workspace(QObject* parent) : QObject(parent) { registerBundledResources(); }

bool Workspace::openImage(const QString& path, QString* error)
{
    try {
        LoadedImage loaded;
        if (path.startsWith(":/")) { // bundled resource
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                throw Error("image '" + path.toStdString() + "': missing from the bundled resources");
            const QByteArray bytes = file.readAll();
            loaded = decodeImage(bytes.toStdString(), path.toStdString());
        } else {
            loaded = loadImage(path.toStdString());
        }
        m_imagePath = path;
        m_imageRgb = loaded.rgb;
        m_image = qImageFromRgb(loaded.rgb);
        m_imageNotice = QString::fromStdString(loaded.notice);
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    Q_EMIT imageChanged();
    return true;
}

bool Workspace::openDefaultImage(QString* error)
{
    return openImage(defaultImagePath(), error);
}

QString Workspace::defaultImagePath() { return QStringLiteral(":/images/astronaut.png"); }

void Workspace::setModelSource(const ModelSource& source)
{
    if (source == m_source && source.preset == m_source.preset)
        return;
    m_source = source;
    Q_EMIT modelSourceChanged();
}

void Workspace::setNormalisation(const Normalisation& normalisation)
{
    m_normalisation = normalisation;
    Q_EMIT modelSourceChanged();
}

QString Workspace::modelLabel() const
{
    if (m_source.isRandom()) {
        VitConfig config = vitPreset(m_source.preset);
        return QString::fromStdString(vitDisplayName(config))
             + tr(" at %1 px — random weights (seed %2), not a trained model").arg(m_source.imageSize).arg(m_source.seed);
    }
    return tr("checkpoint %1 at %2 px").arg(QFileInfo(QString::fromStdString(m_source.checkpoint)).fileName()).arg(m_source.imageSize);
}

ModelSettings Workspace::modelSettings() const
{
    ModelSettings m;
    m.source = modelSource();
    m.normalisation = normalisation();
    if (!m.source.isRandom())
        m.checkpointSha256 = fileSha256(m.source.checkpoint);
    return m;
}

} // namespace ts
