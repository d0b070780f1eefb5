#pragma once
// Session files: the image, the model and every panel's parameters as JSON, so reopening one
// restores the same figures.
#include "core/io/image_io.h"
#include "core/vit/vit_api.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace ts {

struct Session {
    QString imagePath;
    ModelSource model;
    Normalisation normalisation;
    QString currentTab;
    QJsonObject panels; // tab title -> that panel's saveState() (its lab settings)
    QJsonObject evaluation; // Evaluate Folder's last settings and result (empty: none)
    int version = 2;    // the format the file was written in (older ones are read too)
};

QByteArray sessionToJson(const Session& session);
// Throws ts::Error naming the field when the file is not a TokenScope session or a field is invalid.
Session sessionFromJson(const QByteArray& json, const QString& name);

} // namespace ts
