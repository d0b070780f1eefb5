// The command line against a careless or hostile user: every bad input is one line on
// stderr with exit status 1, leaves no output file (and every previous one intact), and neither
// hangs nor runs out of memory. The probe's inputs are generated here: named pipes, folders,
// devices, sparse files, PNG headers declaring huge images, malformed configs.
#include "tests/common/cli_runner.h"
#include "tests/common/test_paths.h"

#include <QBuffer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

namespace {

QByteArray be32(quint32 v)
{
    const char bytes[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    return QByteArray(bytes, 4);
}

quint32 crc32(const QByteArray& bytes)
{
    quint32 crc = 0xffffffffu;
    for (const char ch : bytes) {
        crc ^= quint8(ch);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray chunk(const QByteArray& type, const QByteArray& data, bool goodCrc = true)
{
    return be32(quint32(data.size())) + type + data + be32(crc32(type + data) ^ (goodCrc ? 0u : 1u));
}

// A PNG signature and IHDR (8-bit RGBA unless told) followed by `rest`.
QByteArray pngHeader(quint32 width, quint32 height, bool goodCrc = true, char colourType = 6)
{
    const char rest[5] = {char(8), colourType, 0, 0, 0};
    const QByteArray ihdr = be32(width) + be32(height) + QByteArray(rest, 5);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr, goodCrc);
}

QByteArray le16(quint16 v) { return QByteArray(1, char(v)) + QByteArray(1, char(v >> 8)); }
QByteArray le32(quint32 v) { return le16(quint16(v)) + le16(quint16(v >> 16)); }

// An uncompressed little-endian TIFF, 16 x 16, CMYK with one extra channel (5 samples per pixel),
// as prepress software writes them: OpenCV's reader has no conversion for it.
QByteArray cmykTiff()
{
    const int side = 16, samples = 5, entries = 11;
    const quint32 ifdSize = 2 + entries * 12 + 4, bitsAt = 8 + ifdSize, dataAt = bitsAt + 2 * samples;
    auto entry = [](quint16 tag, quint16 type, quint32 count, quint32 value) {
        return le16(tag) + le16(type) + le32(count) + (type == 3 && count == 1 ? le16(quint16(value)) + le16(0) : le32(value));
    };
    QByteArray tiff = QByteArray("II*\0", 4) + le32(8) + le16(entries);
    tiff += entry(256, 3, 1, side) + entry(257, 3, 1, side) + entry(258, 3, samples, bitsAt) + entry(259, 3, 1, 1)
          + entry(262, 3, 1, 5) + entry(273, 4, 1, dataAt) + entry(277, 3, 1, samples) + entry(278, 3, 1, side)
          + entry(279, 4, 1, side * side * samples) + entry(284, 3, 1, 1) + entry(338, 3, 1, 0) + le32(0);
    for (int i = 0; i < samples; ++i)
        tiff += le16(8);
    for (int i = 0; i < side * side * samples; ++i)
        tiff += char(i * 37);
    return tiff;
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

QStringList entries(const QString& dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot | QDir::System, QDir::Name);
}

} // namespace

class TestCliHostile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void refusedInOneLineLeavingNothing_data();
    void refusedInOneLineLeavingNothing();
    void fullDiskKeepsPreviousOutputs_data();
    void fullDiskKeepsPreviousOutputs();
    void hugeInputsRefusedUnderAMemoryLimit_data();
    void hugeInputsRefusedUnderAMemoryLimit();
    void unknownCommandListsTheCommands();

private:
    QString input(const QString& name) const { return m_inputs.filePath(name); }
    QStringList expand(QStringList args, const QString& out) const;
    QTemporaryDir m_inputs;
    long long m_addressSpaceLimit = 0; // a normal run's peak address space + 1 GiB
};

void TestCliHostile::initTestCase()
{
    QVERIFY(m_inputs.isValid());
    QImage small(128, 96, QImage::Format_RGB32); // 8 x 6 patches: room for FIT groups of 4 x 4
    small.fill(qRgb(40, 120, 200));
    QVERIFY(small.save(input("small.png")));
    QVERIFY(QDir(m_inputs.path()).mkdir("folder"));
    QCOMPARE(::mkfifo(input("pipe").toLocal8Bit().constData(), 0600), 0);
    // 3 GB of nothing: a sparse file is made instantly and takes no disk space.
    {
        QFile sparse(input("sparse.safetensors"));
        QVERIFY(sparse.open(QIODevice::WriteOnly));
        QVERIFY(sparse.resize(3'000'000'000LL));
    }
    // Valid PNG headers declaring large images; no pixel data is needed to refuse them early.
    writeFile(input("16k.png"), pngHeader(16384, 16384) + chunk("IEND", {}));
    writeFile(input("8193.png"), pngHeader(8193, 8192) + chunk("IEND", {}));
    writeFile(input("wide.png"), pngHeader(4'000'000, 1) + chunk("IEND", {}));
    writeFile(input("badcrc.png"), pngHeader(64, 64, false) + chunk("IEND", {}));
    writeFile(input("cmyk5.tif"), cmykTiff());
    writeFile(input("heads.json"), R"({"name": "x", "architecture": "transformer", "depth": 2, "width": 64, "heads": "3abc"})");
    writeFile(input("ratio.json"), R"({"name": "x", "architecture": "transformer", "depth": 2, "width": 64, "heads": 4, "mlp_ratio": 1e308})");
    // A FIT that fits in memory at a million tokens but is 4e13 FLOPs to run there.
    writeFile(input("fitbig.json"), R"({"name": "fitbig", "architecture": "fit", "width": 512, "heads": 8, "group_size": 1024,
                                        "latents_per_group": 16, "pattern": "L4G4"})");
    writeFile(input("newline.json"), "{\"name\": \"x\", \"architecture\": \"transformer\", \"bad\\nfield\": 1}");
}

QStringList TestCliHostile::expand(QStringList args, const QString& out) const
{
    for (QString& a : args) {
        a.replace("{in}", m_inputs.path());
        a.replace("{out}", out);
    }
    return args;
}

void TestCliHostile::refusedInOneLineLeavingNothing_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QStringList merge = {"merge", "--preset", "vit-ti16", "--image"};
    const QStringList fam = {"fam", "--preset", "vit-ti16", "--stream-length", "64", "--block", "32", "--memory", "1", "--fam", "4"};
    const QStringList fit = {"fit", "--image", "{in}/small.png", "--group", "4", "--latents", "2", "--pattern", "(1)1", "--latent-width", "192"};

    // Options checked before anything is computed or written.
    QTest::newRow("mask: --depth 0 after a valid mask")
        << QStringList{"mask", "--kind", "swa", "--length", "100", "--window", "16", "--depth", "0", "--out", "{out}/k.png"} << "--depth";
    QTest::newRow("merge: unwritable --json") << merge + QStringList{"{in}/small.png", "--out", "{out}/m.png", "--json", "/no/such/dir/m.json"}
                                              << "does not exist";
    QTest::newRow("merge: unknown --colours") << merge + QStringList{"{in}/small.png", "--colours", "blue", "--out", "{out}/m.png"}
                                              << "--colours: expected mean or random, got 'blue'";
    QTest::newRow("fam: unwritable --json") << fam + QStringList{"--out", "{out}/f.png", "--json", "/no/such/dir/f.json"} << "does not exist";
    QTest::newRow("flops: unwritable --out")
        << QStringList{"flops", "--preset", "vit-b16", "--lengths", "1024", "--json", "{out}/f.json", "--csv", "{out}/f.csv", "--out",
                       "/no/such/dir/f.png"}
        << "does not exist";
    QTest::newRow("--out and --json the same file")
        << QStringList{"mask", "--kind", "causal", "--length", "8", "--out", "{out}/x.png", "--json", "{out}/x.png"} << "two outputs";
    QTest::newRow("--json over the figure's recipe")
        << QStringList{"mask", "--kind", "causal", "--length", "8", "--out", "{out}/x.png", "--json", "{out}/x.png.recipe.json"}
        << "two outputs";
    QTest::newRow("--out is a folder") << QStringList{"mask", "--kind", "causal", "--length", "8", "--out", "{in}/folder"}
                                       << "unknown figure format";
    QTest::newRow("--json is a folder") << QStringList{"mask", "--kind", "causal", "--length", "8", "--out", "{out}/x.png", "--json", "{in}/folder"}
                                        << "it is a folder";

    // Inputs that are not regular files: refused at once, never waited on.
    QTest::newRow("named pipe as --image") << merge + QStringList{"{in}/pipe", "--out", "{out}/m.png"} << "named pipe";
    QTest::newRow("named pipe as --checkpoint")
        << QStringList{"merge", "--image", "{in}/small.png", "--checkpoint", "{in}/pipe", "--out", "{out}/m.png"} << "named pipe";
    QTest::newRow("named pipe as --config") << QStringList{"flops", "--config", "{in}/pipe", "--lengths", "1024"} << "named pipe";
    QTest::newRow("folder as --image") << merge + QStringList{"{in}/folder", "--out", "{out}/m.png"} << "is a folder";
    QTest::newRow("/dev/zero as --checkpoint")
        << QStringList{"merge", "--image", "{in}/small.png", "--checkpoint", "/dev/zero", "--out", "{out}/m.png"} << "is a device";
    QTest::newRow("3 GB sparse file as --checkpoint")
        << QStringList{"merge", "--image", "{in}/small.png", "--checkpoint", "{in}/sparse.safetensors", "--out", "{out}/m.png"}
        << "corrupt header";

    // Images: decoder reports in one line.
    QTest::newRow("PNG with a bad IHDR CRC") << merge + QStringList{"{in}/badcrc.png", "--out", "{out}/m.png"} << "CRC";
    QTest::newRow("CMYK TIFF, 5 channels") << merge + QStringList{"{in}/cmyk5.tif", "--out", "{out}/m.png"} << "cannot be decoded";
    QTest::newRow("PNG 4,000,000 x 1") << merge + QStringList{"{in}/wide.png", "--out", "{out}/m.png"} << "cannot be decoded";
    QTest::newRow("FIT image over its pixel limit")
        << QStringList{"fit", "--image", "{in}/8193.png", "--group", "4", "--latents", "2", "--pattern", "(1)1", "--out", "{out}/f.png"}
        << "8193 x 8192 px is above the limit of 67,108,864 pixels (67.1 megapixels, 8192 x 8192)";

    // Long runs: the work is estimated first and refused beyond the stated bound.
    QTest::newRow("flops --measure: hours of work")
        << QStringList{"flops", "--config", "{in}/fitbig.json", "--lengths", "1024,1048576", "--measure", "--memory-limit-mib", "30000",
                       "--json", "{out}/f.json"}
        << "--measure would run 3.98081e+13 FLOPs over 2 points (the largest, fitbig at 1048576, 3.97714e+13), above the bound "
           "of 2e+13 FLOPs";
    QTest::newRow("mask: FAM of 1e9 tokens, 4096 memory blocks")
        << QStringList{"mask", "--kind", "fam", "--length", "1000000000", "--block", "64", "--fam", "8", "--memory", "4096", "--out",
                       "{out}/k.png"}
        << "above the bound of 5e+08 (about a minute): raise it with --max-work";
    QTest::newRow("mask: BSWA receptive field over 4096 layers")
        << QStringList{"mask", "--kind", "bswa", "--length", "1000000000", "--block", "1", "--memory", "4096", "--depth", "4096",
                       "--query", "999999999", "--out", "{out}/k.png"}
        << "for the receptive field";

    // Honest numbers and one line whatever the input holds.
    QTest::newRow("fit: group 99999999999")
        << fit + QStringList{"--overlay", "group:99999999999", "--out", "{out}/f.png"} << "group 99999999999 does not exist";
    QTest::newRow("fit: latent past the group's latents")
        << fit + QStringList{"--overlay", "latent:0,4", "--out", "{out}/f.png"} << "latent 4 does not exist (each group has 2 latents";
    QTest::newRow("fit: --group 0 states the real range") << QStringList{"fit", "--image", "{in}/small.png", "--group", "0", "--latents", "2",
                                                                         "--pattern", "(1)1", "--out", "{out}/f.png"}
                                                          << "--group must be between 1 and 256, got 0";
    QTest::newRow("fam: block 99999999999") << fam + QStringList{"--overlay", "block:99999999999", "--out", "{out}/f.png"}
                                            << "block 99999999999 does not exist";
    QTest::newRow("fam: unknown colour range") << fam + QStringList{"--colour-range", "log", "--out", "{out}/f.png"}
                                               << "--colour-range: expected from-zero, data or fixed, got 'log'";
    QTest::newRow("integer beyond long long")
        << merge + QStringList{"{in}/small.png", "--r", "99999999999999999999", "--out", "{out}/m.png"} << "is out of range";
    QTest::newRow("a 300-digit number is shortened")
        << merge + QStringList{"{in}/small.png", "--r", QString(300, '7'), "--out", "{out}/m.png"} << "(300 bytes)";
    QTest::newRow("--inflection 1e308") << merge + QStringList{"{in}/small.png", "--r", "8", "--inflection", "1e308", "--out", "{out}/m.png"}
                                        << "inflection must be between -1 and 1";
    QTest::newRow("--scale 0.001") << QStringList{"mask", "--kind", "causal", "--length", "8", "--scale", "0.001", "--out", "{out}/x.png"}
                                   << "--scale must be between 0.25 and 16";
    QTest::newRow("newline in an image path") << merge + QStringList{"{in}/a\nb.png", "--out", "{out}/m.png"} << "a\\nb.png";
    QTest::newRow("newline in an option name") << QStringList{"mask", "--kind\nx", "causal"} << "unknown option '--kind\\nx'";
    QTest::newRow("config: heads \"3abc\"") << QStringList{"flops", "--config", "{in}/heads.json", "--lengths", "1024"} << "3abc";
    QTest::newRow("config: mlp_ratio 1e308") << QStringList{"flops", "--config", "{in}/ratio.json", "--lengths", "1024"} << "got 1e+308";
    QTest::newRow("config: newline in a field name") << QStringList{"flops", "--config", "{in}/newline.json", "--lengths", "1024"}
                                                     << "bad\\nfield";
}

void TestCliHostile::refusedInOneLineLeavingNothing()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QTemporaryDir out;
    QElapsedTimer timer;
    timer.start();
    const ts::test::CliRun r = ts::test::runTokenscope(expand(args, out.path()), 60000);
    QVERIFY2(r.code == 1, qPrintable(QString("exit %1: %2").arg(r.code).arg(r.err)));
    const QString err = r.err.trimmed();
    QVERIFY2(!err.contains('\n'), qPrintable(err)); // one line, decoder output included
    QVERIFY2(err.contains(message), qPrintable(err));
    QVERIFY2(err.size() < 400, qPrintable(err));
    QCOMPARE(entries(out.path()), QStringList()); // no output, no temporary file
    QVERIFY2(timer.elapsed() < 30000, "a refusal must not wait or read for long");
}

// A full disk, made real without root: RLIMIT_FSIZE in the child (SIGXFSZ ignored) makes every
// write past the limit fail with EFBIG, where a full disk says ENOSPC. Every output kind is
// written over a previous file; all of them must survive, and no temporary file may remain.
void TestCliHostile::fullDiskKeepsPreviousOutputs_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("outputs");
    QTest::addColumn<int>("limit");
    QTest::newRow("fam: figure and small JSON")
        << QStringList{"fam", "--preset", "vit-ti16", "--stream-length", "64", "--block", "16", "--memory", "1", "--fam", "4", "--out",
                       "{out}/x.png", "--json", "{out}/fam.json"}
        << QStringList{"x.png", "x.png.recipe.json", "fam.json"} << 1024;
    QTest::newRow("mask: SVG figure, recipe, JSON")
        << QStringList{"mask", "--kind", "bswa", "--length", "8", "--block", "2", "--out", "{out}/k.svg", "--json", "{out}/k.json"}
        << QStringList{"k.svg", "k.svg.recipe.json", "k.json"} << 2048;
    QTest::newRow("flops: JSON and CSV, a few hundred bytes each")
        << QStringList{"flops", "--preset", "vit-ti16", "--lengths", "197", "--json", "{out}/f.json", "--csv", "{out}/f.csv"}
        << QStringList{"f.json", "f.csv"} << 100;
    QTest::newRow("merge: figure and JSON")
        << QStringList{"merge", "--preset", "vit-ti16", "--image", "{in}/small.png", "--out", "{out}/m.png", "--json", "{out}/m.json"}
        << QStringList{"m.png", "m.png.recipe.json", "m.json"} << 4096;
}

void TestCliHostile::fullDiskKeepsPreviousOutputs()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, outputs);
    QFETCH(int, limit);
    QTemporaryDir out;
    for (const QString& name : outputs)
        writeFile(out.filePath(name), "previous " + name.toUtf8());
    const QStringList before = entries(out.path());
    ts::test::CliLimits limits;
    limits.fileSizeBytes = limit;
    const ts::test::CliRun r = ts::test::runTokenscope(expand(args, out.path()), 120000, {}, limits);
    QVERIFY2(r.code == 1, qPrintable(QString("exit %1: %2").arg(r.code).arg(r.err)));
    const QString err = r.err.trimmed().split('\n').last();
    QVERIFY2(err.contains("File too large") && err.contains("cannot write"), qPrintable(r.err));
    QCOMPARE(entries(out.path()), before);
    for (const QString& name : outputs)
        QCOMPARE(readFile(out.filePath(name)), "previous " + name.toUtf8());

    // The same command with room to write replaces every one of them.
    const ts::test::CliRun ok = ts::test::runTokenscope(expand(args, out.path()));
    QVERIFY2(ok.code == 0, qPrintable(ok.err));
    for (const QString& name : outputs)
        QVERIFY(!readFile(out.filePath(name)).startsWith("previous"));
    QCOMPARE(entries(out.path()), before);
}

// Under an address-space limit well above what a normal run needs (checked first), inputs that
// once took gigabytes before any check are refused with the numbers, never killed or crashed.
void TestCliHostile::hugeInputsRefusedUnderAMemoryLimit_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("16384 x 16384 RGBA PNG")
        << QStringList{"merge", "--preset", "vit-ti16", "--image", "{in}/16k.png", "--out", "{out}/m.png"} << "of memory available";
    QTest::newRow("fam over a 16384 x 16384 PNG")
        << QStringList{"fam", "--preset", "vit-ti16", "--image", "{in}/16k.png", "--block", "16", "--memory", "1", "--fam", "4", "--out",
                       "{out}/f.png"}
        << "of memory available";
    QTest::newRow("3 GB sparse checkpoint")
        << QStringList{"merge", "--image", "{in}/small.png", "--checkpoint", "{in}/sparse.safetensors", "--out", "{out}/m.png"}
        << "corrupt header";
}

void TestCliHostile::hugeInputsRefusedUnderAMemoryLimit()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QTemporaryDir out;
    const QStringList normalRun = expand({"merge", "--preset", "vit-ti16", "--image", "{in}/small.png", "--out", "{out}/ok.png"}, out.path());
    // The limit: what a normal run maps (threads, libraries, the model) plus 1 GiB, less than
    // the 1.75 GiB a 16384 x 16384 RGBA decode needs and the 3 GB the sparse file once took.
    if (m_addressSpaceLimit == 0) { // measured once, then checked to be enough for a normal run
        const ts::test::CliRun measured = ts::test::runTokenscope(normalRun);
        QVERIFY2(measured.code == 0 && measured.peakVirtualBytes > 0, qPrintable(measured.err));
        ts::test::CliLimits probe;
        probe.addressSpaceBytes = measured.peakVirtualBytes + (1LL << 30);
        const ts::test::CliRun normal = ts::test::runTokenscope(normalRun, 120000, {}, probe);
        QVERIFY2(normal.code == 0, qPrintable("a normal run must fit under the limit: " + normal.err));
        QFile::remove(out.filePath("ok.png"));
        QFile::remove(out.filePath("ok.png.recipe.json"));
        m_addressSpaceLimit = probe.addressSpaceBytes;
    }
    ts::test::CliLimits limits;
    limits.addressSpaceBytes = m_addressSpaceLimit;

    const ts::test::CliRun r = ts::test::runTokenscope(expand(args, out.path()), 60000, {}, limits);
    QVERIFY2(r.code == 1, qPrintable(QString("exit %1: %2").arg(r.code).arg(r.err)));
    QVERIFY2(r.err.trimmed().split('\n').last().contains(message), qPrintable(r.err));
    QVERIFY2(!r.err.contains("bad_alloc") && !r.err.contains("out of memory"), qPrintable(r.err));
    QCOMPARE(entries(out.path()), QStringList());
}

void TestCliHostile::unknownCommandListsTheCommands()
{
    const ts::test::CliRun r = ts::test::runTokenscope({"mege", "--image", "a.png"}, 30000);
    QCOMPARE(r.code, 1);
    const QString err = r.err.trimmed();
    QVERIFY2(!err.contains('\n'), qPrintable(err));
    QVERIFY2(err.contains("unknown command 'mege' (did you mean merge?)"), qPrintable(err));
    for (const char* command : {"merge", "fit", "mask", "fam", "flops", "bench"})
        QVERIFY2(err.contains(command), qPrintable(err));
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestCliHostile)
#include "tst_cli_hostile.moc"
