#include "ui/shell/session.h"

#include "core/util/error.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace ts {
namespace {

// 2: every lab's settings (core/settings/lab_settings.h) in "panels"; 1 held only ToMe's, FAM's
// and the FLOP lab's, ToMe's in another form (read by ToMePanel::restoreState).
constexpr int kFormatVersion = 2;
constexpr int kOldestReadableVersion = 1;

QJsonArray triple(const float* v) { return QJsonArray{v[0], v[1], v[2]}; }

// Messages echo values from the file, and Qt's JSON reader lets raw control characters into
// strings (found by tests/fuzz/fuzz_session.cpp): escape them so a message stays one line.
std::string oneLine(const QString& text)
{
    QString out;
    for (const QChar c : text) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c.category() == QChar::Other_Control || c.category() == QChar::Separator_Line
                 || c.category() == QChar::Separator_Paragraph)
            out += QString("\\u%1").arg(c.unicode(), 4, 16, QChar('0'));
        else
            out += c;
    }
    return out.toStdString();
}

} // namespace

QByteArray sessionToJson(const Session& s)
{
    QJsonObject model{{"preset", QString::fromStdString(s.model.preset)},
                      {"image_size", s.model.imageSize},
                      {"seed", QString::number(s.model.seed)},
                      {"checkpoint", QString::fromStdString(s.model.checkpoint)}};
    QJsonObject o{{"tokenscope_session", kFormatVersion},
                  {"image", s.imagePath},
                  {"model", model},
                  {"normalisation", QJsonObject{{"mean", triple(s.normalisation.mean)}, {"std", triple(s.normalisation.std)}}},
                  {"current_tab", s.currentTab},
                  {"panels", s.panels}};
    if (!s.evaluation.isEmpty())
        o["evaluation"] = s.evaluation;
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

Session sessionFromJson(const QByteArray& json, const QString& name)
{
    auto fail = [&name](const QString& what) { return Error(oneLine("session '" + name + "': " + what)); };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (doc.isNull() || !doc.isObject())
        throw fail("not JSON (" + parseError.errorString() + " at byte " + QString::number(parseError.offset) + ")");
    const QJsonObject o = doc.object();
    if (!o.contains("tokenscope_session"))
        throw fail("not a TokenScope session (no 'tokenscope_session' field)");
    const int version = o["tokenscope_session"].toInt();
    if (version < kOldestReadableVersion || version > kFormatVersion)
        throw fail("unsupported session version " + QString::number(version) + " (this TokenScope reads "
                   + QString::number(kOldestReadableVersion) + " to " + QString::number(kFormatVersion) + ")");
    Session s;
    s.version = version;
    if (!o["image"].isString())
        throw fail("'image' must be a path");
    s.imagePath = o["image"].toString();
    const QJsonObject model = o["model"].toObject();
    if (!o["model"].isObject() || !model["preset"].isString())
        throw fail("'model.preset' is missing");
    s.model.preset = model["preset"].toString().toStdString();
    try {
        vitPreset(s.model.preset);
    } catch (const Error& e) {
        throw fail(QString("'model.preset': ") + e.what());
    }
    const int size = model["image_size"].toInt(-1);
    if (size < 16 || size > 8192 || size % 16 != 0)
        throw fail("'model.image_size' must be a multiple of 16 between 16 and 8192");
    s.model.imageSize = size;
    bool ok = false;
    s.model.seed = model["seed"].toString().toULongLong(&ok);
    if (!ok)
        throw fail("'model.seed' must be a non-negative integer (as a string)");
    s.model.checkpoint = model["checkpoint"].toString().toStdString();
    const QJsonObject norm = o["normalisation"].toObject();
    const QJsonArray mean = norm["mean"].toArray(), std = norm["std"].toArray();
    if (mean.size() != 3 || std.size() != 3)
        throw fail("'normalisation' needs three means and three stds");
    for (int c = 0; c < 3; ++c) {
        // Checked as the floats they become: 1e79 overflows to infinity and 1e-50 to zero, which
        // a session file cannot even hold (found by tests/fuzz/fuzz_session.cpp).
        const float m = static_cast<float>(mean[c].toDouble()), sd = static_cast<float>(std[c].toDouble());
        if (!mean[c].isDouble() || !std[c].isDouble() || !std::isfinite(m) || !std::isfinite(sd) || !(sd > 0))
            throw fail("'normalisation' values must be finite numbers, stds positive");
        s.normalisation.mean[c] = m;
        s.normalisation.std[c] = sd;
    }
    s.currentTab = o["current_tab"].toString();
    s.panels = o["panels"].toObject();
    s.evaluation = o["evaluation"].toObject();
    return s;
}

} // namespace ts
