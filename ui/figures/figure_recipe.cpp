#include "ui/figures/figure_recipe.h"

#include "core/settings/recipe_command.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QMutex>

#include <map>
#include <tuple>

namespace ts {

void setFigureRecipe(Figure& figure, const char* lab, const nlohmann::json& settings, const std::vector<std::string>& arguments)
{
    nlohmann::json recipe = settings;
    recipe["lab"] = lab;
    figure.recipeJson = QString::fromStdString(recipe.dump());
    figure.command = QString::fromStdString(commandLine(arguments));
}

QString figureCommandFor(const Figure& figure, const QString& path, double scale)
{
    if (figure.command.isEmpty())
        return {};
    QString command = figure.command + " --out " + QString::fromStdString(shellQuote(QFileInfo(path).fileName().toStdString()));
    if (figureFormatForPath(path) == FigureFormat::Png && scale != 1.0)
        command += " --scale " + QString::fromStdString(exactNumber(scale));
    return command;
}

std::string fileSha256(const std::string& path)
{
    static QMutex mutex;
    static std::map<std::tuple<std::string, qint64, qint64>, std::string> cache;
    const QString name = QString::fromStdString(path);
    const QFileInfo info(name);
    if (!info.isFile())
        return {};
    const auto key = std::make_tuple(path, info.size(), info.lastModified().toMSecsSinceEpoch());
    {
        QMutexLocker lock(&mutex);
        if (auto it = cache.find(key); it != cache.end())
            return it->second;
    }
    QFile file(name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return {};
    const std::string hex = hash.result().toHex().toStdString();
    QMutexLocker lock(&mutex);
    cache[key] = hex;
    return hex;
}

} // namespace ts
