// Exports as a careful user expects: Export All writes every current figure, its data and the
// session; PNG resolution by scale or DPI (in the file's metadata); over an existing file the
// replacement is atomic; an unwritable folder, a full disk or an image too large for memory give
// a one-line message and leave existing files and the folder as they were.
#include "core/flops/flop_config.h"
#include "core/flops/flop_presets.h"
#include "core/util/error.h"
#include "ui/shell/export_all.h"
#include "ui/labs/flops/flop_panel.h"
#include "ui/figures/figure_export.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/lab_panel.h"
#include "ui/shell/main_window.h"
#include "ui/labs/tome/merge_view.h"
#include "ui/shell/session.h"
#include "ui/labs/tome/tome_panel.h"
#include "tests/common/every_lab.h"
#include "tests/common/recipe_rerun.h"
#include "tests/common/test_paths.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QPainter>
#include <QProcess>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <sys/resource.h>

using namespace ts;

namespace {

// A small figure with text, lines and fills: enough for every format to have content.
Figure sampleFigure(QSizeF size = QSizeF(200, 120))
{
    Figure f;
    f.size = size;
    f.title = "sample";
    f.description = "test figure";
    f.recipeJson = R"({"answer": 42})";
    f.command = "tokenscope test";
    f.paint = [](QPainter& p, const QRectF& r) {
        p.fillRect(r.adjusted(10, 10, -10, -10), QColor(31, 119, 180));
        p.setPen(Qt::black);
        p.drawLine(r.topLeft(), r.bottomRight());
        p.drawText(r, Qt::AlignCenter, "TokenScope");
    };
    return f;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QStringList entries(const QString& folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

} // namespace

class TestExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QCoreApplication::setOrganizationName("TokenScopeTests"); }
    void exportAllWritesEveryFigureDataAndSettings();
    void everyExportedRecipeRegeneratesItsFigure();
    void exportAllRefusesAnUnwritableFolder();
    void pngAtDpi();
    void commandLineDpi();
    void commandLineRefusals_data();
    void commandLineRefusals();
    void overExistingFileIsReplacedWhole();
    void unwritablePathKeepsNothing();
    void fullDiskKeepsTheOldFile();
    void fullDiskKeepsEveryPreviousOutput();
    void tooLargeForMemoryIsRefused();
};

void TestExport::exportAllWritesEveryFigureDataAndSettings()
{
    MainWindow w;
    w.resize(1300, 800);
    w.show();
    auto* tome = w.findChild<ToMePanel*>();
    QVERIFY(tome);
    QVERIFY(QTest::qWaitFor([&] { return tome->result() && tome->view()->hasData() && !tome->runner()->isRunning(); }, 60000));

    // A custom FLOP model: its config file goes beside the figures, for the figure's command.
    auto* flops = w.findChild<FlopPanel*>();
    QVERIFY(flops);
    ArchSpec custom = flopPreset("vit-s16");
    custom.name = "vit-s16-deep";
    custom.depth = 24;
    flops->addCustomModels({custom});

    QTemporaryDir tmp;
    const QString folder = tmp.filePath("new/nested"); // does not exist yet: created
    const QStringList written = exportAll(w.labsForExport(), w.currentSession(), folder);

    const QJsonObject index = QJsonDocument::fromJson(readAll(QDir(folder).filePath("index.json"))).object();
    QCOMPARE(index["tokenscope_export"].toInt(), 1);
    const QJsonArray tabs = index["tabs"].toArray();
    QStringList exportedTabs;
    for (const auto& t : tabs)
        exportedTabs << t.toObject()["tab"].toString();
    // Exactly the tabs that have a figure are exported; the rest are listed as without result.
    for (int i = 0; i < w.tabs()->count(); ++i) {
        auto* panel = qobject_cast<LabPanel*>(w.tabs()->widget(i));
        QVERIFY(panel);
        const bool hasFigure = panel->currentFigure().has_value();
        QCOMPARE(exportedTabs.contains(w.tabs()->tabText(i)), hasFigure);
        QCOMPARE(index["without_result"].toArray().contains(w.tabs()->tabText(i)), !hasFigure);
    }
    QVERIFY(exportedTabs.contains("ToMe"));

    for (const auto& t : tabs) {
        const QJsonObject entry = t.toObject();
        const QString stem = exportStem(entry["tab"].toString());
        const QJsonArray figures = entry["figures"].toArray();
        QCOMPARE(figures.size(), 3);
        const QString png = QDir(folder).filePath(stem + ".png");
        QVERIFY2(!QImage(png).isNull(), qPrintable(png));
        QSvgRenderer svg(QDir(folder).filePath(stem + ".svg"));
        QVERIFY2(svg.isValid(), qPrintable(stem));
        QVERIFY(readAll(QDir(folder).filePath(stem + ".pdf")).startsWith("%PDF"));
        for (const auto& r : entry["recipes"].toArray())
            QVERIFY(QJsonDocument::fromJson(readAll(QDir(folder).filePath(r.toString()))).isObject());
        if (entry.contains("data"))
            QVERIFY(!QJsonDocument::fromJson(readAll(QDir(folder).filePath(entry["data"].toString()))).isNull());
    }
    QVERIFY(QFile::exists(QDir(folder).filePath("tome.data.json")));
    QCOMPARE(readAll(QDir(folder).filePath("flops.data.csv")), flops->currentDataCsv());
    // The FLOP figure's command runs from the export folder as written and finds its models.
    const std::vector<ArchSpec> models = loadFlopConfig(QDir(folder).filePath("flop_models.json").toStdString());
    QCOMPARE(int(models.size()), 1);
    QCOMPARE(models.front().depth, 24);
    QVERIFY(flops->currentFigure()->command.contains("--config flop_models.json"));
    // Every figure carries its recipe and command, FAM and masks included.
    for (const auto& t : tabs) {
        QCOMPARE(t.toObject()["recipes"].toArray().size(), 3);
        QVERIFY(t.toObject()["command"].toString().startsWith("tokenscope "));
    }

    // The PNG is the figure as the window renders it, pixel for pixel.
    const QImage expected = renderFigure(*tome->currentFigure()).convertToFormat(QImage::Format_RGB32);
    const QImage exported = QImage(QDir(folder).filePath("tome.png")).convertToFormat(QImage::Format_RGB32);
    QCOMPARE(exported.size(), expected.size());
    QVERIFY(exported == expected);

    // settings.json is a session that opens and names the same image and model.
    const Session s = sessionFromJson(readAll(QDir(folder).filePath("settings.json")), "settings.json");
    QCOMPARE(s.imagePath, w.currentSession().imagePath);
    QCOMPARE(s.model.preset, w.currentSession().model.preset);
    QVERIFY(s.panels.contains("ToMe"));

    // Everything returned exists, the index is last, and nothing else (no temporary files) is there.
    QCOMPARE(QFileInfo(written.last()).fileName(), QString("index.json"));
    QStringList names;
    for (const QString& p : written) {
        QVERIFY2(QFileInfo(p).size() > 0, qPrintable(p));
        names << QFileInfo(p).fileName();
    }
    names.sort();
    QCOMPARE(entries(folder), names);
}

// Every lab with non-default settings (custom normalisation, a checkpoint, a FAM overlay, three
// masks compared and zoomed, a custom FLOP model, methods compared), exported by Export All into a folder that does
// not exist yet: each figure's command, read from the PNG, SVG or PDF itself and run from that
// folder, draws the same pixels again.
void TestExport::everyExportedRecipeRegeneratesItsFigure()
{
    QTemporaryDir tmp;
    MainWindow w;
    QVERIFY(w.openImage(test::sampleImage("coffee.png")));
    test::setEveryLab(w, tmp.filePath("vit-ti.safetensors"));
    w.findChild<ComparePanel*>()->runNow(); // the Compare lab runs when shown; this window never is
    QTest::qWait(400);
    auto* tome = w.findChild<ToMePanel*>();
    auto* fit = w.findChild<FitPanel*>();
    auto* fam = w.findChild<FamPanel*>();
    auto* compare = w.findChild<ComparePanel*>();
    QVERIFY(QTest::qWaitFor([&] { return tome->result() && !tome->runner()->isRunning() && fit->result() && !fit->runner()->isRunning()
                                         && fam->result() && !fam->runner()->isRunning() && compare->result()
                                         && !compare->runner()->isRunning(); }, 180000));

    const QString folder = tmp.filePath("exports/run 1/figures"); // nested, with a space, missing
    exportAll(w.labsForExport(), w.currentSession(), folder, 1.5);
    const QJsonObject index = QJsonDocument::fromJson(readAll(QDir(folder).filePath("index.json"))).object();
    const QJsonArray tabs = index["tabs"].toArray();
    QCOMPARE(tabs.size(), 6); // every lab has a figure
    for (const auto& t : tabs) {
        const QJsonObject entry = t.toObject();
        QCOMPARE(entry["recipes"].toArray().size(), 3);
        for (const auto& f : entry["figures"].toArray()) {
            const QString path = QDir(folder).filePath(f.toString());
            const QJsonObject recipe = QJsonDocument::fromJson(readAll(path + ".recipe.json")).object();
            QCOMPARE(recipe["command"].toString(), entry["commands"].toObject()[f.toString()].toString());
            const test::Rerun r = test::rerunEmbeddedCommand(path);
            QVERIFY2(r.error.isEmpty(), qPrintable(f.toString() + ": " + r.error + " (" + r.command + ")"));
            QCOMPARE(r.command, recipe["command"].toString()); // the file and its recipe agree
            QVERIFY2(!r.before.isNull() && r.after == r.before, qPrintable(f.toString() + ": " + r.command));
        }
    }
    const QString tomeCommand = tabs[0].toObject()["command"].toString();
    QVERIFY2(tomeCommand.contains("--checkpoint") && tomeCommand.contains("--checkpoint-sha256") && tomeCommand.contains("--mean 0.5,0.5,0.5")
                 && tomeCommand.contains("--opacity 0.4") && tomeCommand.contains("--no-borders") && tomeCommand.contains("--select 30")
                 && tomeCommand.contains("--out tome.png --scale 1.5"),
             qPrintable(tomeCommand));
}

void TestExport::exportAllRefusesAnUnwritableFolder()
{
    MainWindow w;
    QTemporaryDir tmp;
    const QString file = tmp.filePath("plain_file");
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("x");
    f.close();
    // A folder inside a regular file cannot be made, even by root.
    try {
        exportAll(w.labsForExport(), w.currentSession(), file + "/sub");
        QFAIL("no error");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("cannot create the folder"), e.what());
    }
    try {
        exportAll(w.labsForExport(), w.currentSession(), file);
        QFAIL("no error");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("not a folder"), e.what());
    }
    QCOMPARE(readAll(file), QByteArray("x"));
}

void TestExport::pngAtDpi()
{
    QTemporaryDir tmp;
    const Figure fig = sampleFigure(QSizeF(201, 123));
    const QString at300 = tmp.filePath("a.png"), at2x = tmp.filePath("b.png"), at1x = tmp.filePath("c.png");
    exportFigureAtDpi(fig, at300, 300);
    exportFigure(fig, at2x, 2.0);
    exportFigure(fig, at1x);
    const QImage a(at300), b(at2x), c(at1x);
    QCOMPARE(a.size(), QSize(qRound(201 * 300 / 96.0), qRound(123 * 300 / 96.0))); // 628 x 384
    QCOMPARE(a.dotsPerMeterX(), qRound(300 / 0.0254));
    QCOMPARE(a.dotsPerMeterY(), qRound(300 / 0.0254));
    QCOMPARE(b.size(), QSize(402, 246));
    QCOMPARE(b.dotsPerMeterX(), qRound(192 / 0.0254));
    QCOMPARE(c.size(), QSize(201, 123));
    QCOMPARE(c.dotsPerMeterX(), qRound(96 / 0.0254));
    QCOMPARE(c.text("tokenscope:command"), QString("tokenscope test --out c.png")); // the file's own name
    QCOMPARE(b.text("tokenscope:command"), QString("tokenscope test --out b.png --scale 2"));
    for (double bad : {0.0, -72.0, 1e6})
        QVERIFY_THROWS_EXCEPTION(Error, scaleForDpi(bad));
}

void TestExport::commandLineDpi()
{
    QTemporaryDir tmp;
    auto runMask = [&](const QStringList& extra, const QString& out) {
        QProcess p;
        p.start(test::tokenscopeExecutable(), QStringList{"mask", "--kind", "causal", "--length", "16", "--pixels", "64", "--out", out} + extra);
        return p.waitForFinished(60000) && p.exitCode() == 0;
    };
    QVERIFY(runMask({}, tmp.filePath("1x.png")));
    QVERIFY(runMask({"--dpi", "192"}, tmp.filePath("dpi.png")));
    QVERIFY(runMask({"--scale", "2"}, tmp.filePath("2x.png")));
    const QImage one(tmp.filePath("1x.png")), dpi(tmp.filePath("dpi.png")), two(tmp.filePath("2x.png"));
    QVERIFY(!one.isNull());
    QCOMPARE(dpi.size(), one.size() * 2);
    QCOMPARE(dpi.dotsPerMeterX(), qRound(192 / 0.0254));
    QVERIFY(dpi == two);
}

void TestExport::commandLineRefusals_data()
{
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QString>("message");
    QTest::newRow("both") << QStringList{"--scale", "2", "--dpi", "300"} << "either --scale or --dpi";
    QTest::newRow("zero dpi") << QStringList{"--dpi", "0"} << "--dpi must be positive";
    QTest::newRow("negative dpi") << QStringList{"--dpi", "-5"} << "--dpi must be positive";
    QTest::newRow("huge dpi") << QStringList{"--dpi", "100000"} << "DPI";
    QTest::newRow("zero scale") << QStringList{"--scale", "0"} << "--scale must be above 0";
}

void TestExport::commandLineRefusals()
{
    QFETCH(QStringList, extra);
    QFETCH(QString, message);
    QTemporaryDir tmp;
    for (const char* command : {"mask", "merge", "fit", "fam", "flops"}) {
        QStringList args{command};
        if (QString(command) == "mask")
            args << "--kind" << "causal" << "--length" << "16";
        else if (QString(command) == "flops")
            args << "--preset" << "vit-s16" << "--lengths" << "256";
        else if (QString(command) == "fam")
            args << "--stream-length" << "64" << "--block" << "8" << "--memory" << "1" << "--fam" << "1";
        else
            args << "--image" << test::sampleImage("astronaut.png");
        if (QString(command) == "fit")
            args << "--group" << "4" << "--latents" << "2" << "--pattern" << "L2G1";
        args << "--out" << tmp.filePath("x.png") << extra;
        QProcess p;
        p.start(test::tokenscopeExecutable(), args);
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains(message) && !err.contains('\n'), qPrintable(QString(command) + ": " + err));
        QVERIFY(!QFile::exists(tmp.filePath("x.png")));
    }
}

void TestExport::overExistingFileIsReplacedWhole()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath("fig.png");
    exportFigure(sampleFigure(QSizeF(50, 40)), path);
    const QByteArray before = readAll(path);
    exportFigure(sampleFigure(QSizeF(200, 120)), path);
    QVERIFY(readAll(path) != before);
    QCOMPARE(QImage(path).size(), QSize(200, 120));
    QCOMPARE(entries(tmp.path()), (QStringList{"fig.png", "fig.png.recipe.json"}));
}

void TestExport::unwritablePathKeepsNothing()
{
    QTemporaryDir tmp;
    for (const QString& path : {tmp.filePath("missing/fig.png"), tmp.filePath("fig.png/inside.svg")}) {
        if (path.contains("fig.png/")) { // a path through a regular file
            QFile f(tmp.filePath("fig.png"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("old");
        }
        try {
            exportFigure(sampleFigure(), path);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).startsWith("cannot write '" + path + "'"), e.what());
            QVERIFY(!QString(e.what()).contains('\n'));
        }
    }
    QCOMPARE(entries(tmp.path()), QStringList{"fig.png"});
    QCOMPARE(readAll(tmp.filePath("fig.png")), QByteArray("old"));
}

// A full disk, made real without root: RLIMIT_FSIZE makes the kernel refuse writes past a file
// size (EFBIG, with SIGXFSZ ignored) exactly where ENOSPC would stop them, so the export fails
// midway through its temporary file.
void TestExport::fullDiskKeepsTheOldFile()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath("fig.png");
    exportFigure(sampleFigure(QSizeF(40, 30)), path);
    const QByteArray before = readAll(path);
    const QStringList filesBefore = entries(tmp.path());

    const Figure big = sampleFigure(QSizeF(1200, 900));
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit saved{};
    QCOMPARE(getrlimit(RLIMIT_FSIZE, &saved), 0);
    rlimit limited = saved;
    limited.rlim_cur = 4096; // the large PNG is well over 4 KiB
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &limited), 0);
    QString message;
    try {
        exportFigure(big, path, 2.0);
    } catch (const Error& e) {
        message = e.what();
    }
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &saved), 0);

    QVERIFY2(message.startsWith("cannot write '" + path + "': "), qPrintable(message));
    QVERIFY2(message.contains("too large", Qt::CaseInsensitive), qPrintable(message));
    QCOMPARE(readAll(path), before);            // the existing file is intact
    QCOMPARE(entries(tmp.path()), filesBefore); // no temporary file left behind
}

namespace {

// RLIMIT_FSIZE for this process while alive (SIGXFSZ ignored): every write past `bytes` fails
// with EFBIG, where a full disk fails it with ENOSPC.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        std::signal(SIGXFSZ, SIG_IGN);
        getrlimit(RLIMIT_FSIZE, &m_saved);
        rlimit limited = m_saved;
        limited.rlim_cur = bytes;
        setrlimit(RLIMIT_FSIZE, &limited);
    }
    ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &m_saved); }

private:
    rlimit m_saved{};
};

QMap<QString, QByteArray> snapshot(const QString& folder)
{
    QMap<QString, QByteArray> files;
    for (const QString& name : entries(folder))
        files[name] = readAll(QDir(folder).filePath(name));
    return files;
}

} // namespace

// Every kind of output the GUI writes, each small (the case buffered writers got wrong: the
// failure came at the final flush and a 0-byte file replaced the old one), on a full disk.
void TestExport::fullDiskKeepsEveryPreviousOutput()
{
    QTemporaryDir tmp;
    // A vector figure and its recipe, a few hundred bytes each.
    const QString svg = tmp.filePath("fig.svg");
    exportFigure(sampleFigure(QSizeF(40, 30)), svg);
    // A session.
    MainWindow w;
    w.resize(1300, 800);
    w.show();
    auto* tome = w.findChild<ToMePanel*>();
    QVERIFY(QTest::qWaitFor([&] { return tome->result() && tome->view()->hasData() && !tome->runner()->isRunning(); }, 60000));
    const QString session = tmp.filePath("s.tokenscope");
    QString error;
    QVERIFY2(w.saveSession(session, &error), qPrintable(error));
    // A complete Export All folder.
    const QString folder = tmp.filePath("export");
    exportAll(w.labsForExport(), w.currentSession(), folder);
    const QMap<QString, QByteArray> before = snapshot(tmp.path()), exportBefore = snapshot(folder);

    QString figureError, exportError;
    bool sessionSaved = true;
    {
        const FileSizeLimit full(64);
        try {
            exportFigure(sampleFigure(QSizeF(41, 30)), svg);
        } catch (const Error& e) {
            figureError = e.what();
        }
        sessionSaved = w.saveSession(session, &error);
        try {
            exportAll(w.labsForExport(), w.currentSession(), folder);
        } catch (const Error& e) {
            exportError = e.what();
        }
    }
    QVERIFY2(figureError.contains("File too large"), qPrintable(figureError));
    QVERIFY(!sessionSaved);
    QVERIFY2(error.contains("File too large"), qPrintable(error));
    QVERIFY2(exportError.contains("File too large"), qPrintable(exportError));
    QCOMPARE(snapshot(tmp.path()), before);  // figure, recipe and session unchanged, nothing added
    QCOMPARE(snapshot(folder), exportBefore); // the previous export whole: all or none
}

void TestExport::tooLargeForMemoryIsRefused()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath("huge.png");
    try {
        exportFigure(sampleFigure(QSizeF(200000, 200000)), path, 4.0); // 800000^2 pixels: terabytes
        QFAIL("no error");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("800000 x 800000 pixel image needs ~") && QString(e.what()).contains("available"), e.what());
    }
    QVERIFY(entries(tmp.path()).isEmpty());
}

QTEST_MAIN(TestExport)
#include "tst_export.moc"
