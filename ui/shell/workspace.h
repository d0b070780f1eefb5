#pragma once
// What every panel shares: the current image and the model source. Panels read it and listen
// to its signals; the main window's controls (open image, preset, checkpoint, seed) write it.
#include "core/io/image_io.h"
#include "core/vit/vit_api.h"
#include "core/settings/lab_settings.h"
#include "ui/figures/rgb_image.h"

#include <QImage>
#include <QObject>
#include <QString>

#include <opencv2/core.hpp>

namespace ts {

class Workspace : public QObject {
    Q_OBJECT
public:
    explicit Workspace(QObject* parent = nullptr);

    // Loads an image file (in the calling thread: decoding is bounded by the size check).
    // Returns false and sets `error` on failure; the previous image stays.
    bool openImage(const QString& path, QString* error);
    // The bundled default photograph.
    bool openDefaultImage(QString* error);
    static QString defaultImagePath();

    const QString& imagePath() const { return m_imagePath; }   // ":/images/astronaut.png" for the default
    const cv::Mat& imageRgb() const { return m_imageRgb; }     // CV_8UC3, RGB
    const QImage& image() const { return m_image; }            // the same pixels for painting
    const QString& imageNotice() const { return m_imageNotice; }

    const ModelSource& modelSource() const { return m_source; }
    // The model as the lab settings hold it: source, normalisation and the checkpoint's SHA-256.
    ModelSettings modelSettings() const;
    // Per-channel mean and std applied to the image (ImageNet's unless the user sets others).
    const Normalisation& normalisation() const { return m_normalisation; }
    void setNormalisation(const Normalisation& normalisation);
    void setModelSource(const ModelSource& source);
    // "ViT-S/16 — random weights (seed 0)" or "ViT-B/16 — checkpoint deit_base.safetensors".
    QString modelLabel() const;

Q_SIGNALS:
    void imageChanged();
    void modelSourceChanged(); // also emitted when the normalisation changes

private:
    QString m_imagePath;
    cv::Mat m_imageRgb;
    QImage m_image;
    QString m_imageNotice;
    ModelSource m_source;
    Normalisation m_normalisation;
};

} // namespace ts
