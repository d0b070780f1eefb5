#pragma once
// A folder of small images the evaluation tests write: `count` seeded-noise PNGs (a.png, b.png,
// ...; sizes vary so the crop is exercised), optionally in class sub-folders, plus a file that is
// not an image (notes.txt) and one that claims to be but cannot be decoded (broken.png).
#include <QDir>
#include <QFile>
#include <QImage>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

namespace ts::test {

// Writes the images under `dir` (each in `classes[i % classes.size()]` when classes are given)
// and returns their paths relative to `dir`, in sorted order.
inline QStringList writeImageFolder(const QString& dir, int count, const QStringList& classes = {}, bool withJunk = true)
{
    QStringList files;
    QRandomGenerator random(42);
    for (int i = 0; i < count; ++i) {
        QImage image(40 + 8 * (i % 3), 40, QImage::Format_RGB32);
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                image.setPixel(x, y, qRgb(random.bounded(256), random.bounded(256), random.bounded(256)));
        const QString sub = classes.isEmpty() ? QString() : classes[i % classes.size()] + "/";
        QDir().mkpath(dir + "/" + sub);
        const QString file = sub + QChar('a' + i) + ".png";
        image.save(dir + "/" + file);
        files << file;
    }
    if (withJunk) {
        QFile notes(dir + "/notes.txt");
        notes.open(QIODevice::WriteOnly);
        notes.write("not an image\n");
        QFile broken(dir + "/broken.png");
        broken.open(QIODevice::WriteOnly);
        broken.write("\x89PNG\r\n\x1a\nthis is not the rest of a PNG");
    }
    files.sort();
    return files;
}

} // namespace ts::test
