// The ToMe lab's attention view as a user relies on it: nothing is recorded until it is shown; the
// figure in the window is the one `tokenscope attention` draws for the same settings, pixel for
// pixel; an exported attention figure (PNG, SVG, PDF, and through Export All) names the command
// that draws it again; a session brings the same figure back; the colour bar spans the values
// shown (or 0..max) and marks uniform attention 1/n.
#include "core/vit/attention_record.h"
#include "ui/figures/attention_figure.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_export.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/tome/attention_pane.h"
#include "ui/labs/tome/merge_view.h"
#include "ui/labs/tome/tome_panel.h"
#include "ui/shell/export_all.h"
#include "ui/shell/main_window.h"
#include "ui/shell/workspace.h"
#include "ui/widgets/figure_view.h"
#include "tests/common/cli_runner.h"
#include "tests/common/recipe_rerun.h"
#include "tests/common/test_paths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QThreadPool>
#include <QSlider>
#include <QSpinBox>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace ts;

namespace {

// A ViT-Ti/16 (seed 3) on coffee.png with r = 4: small and quick, merging from the first block.
void setUp(MainWindow& w)
{
    QVERIFY(w.openImage(test::sampleImage("coffee.png")));
    ModelSource s = w.workspace()->modelSource();
    s.preset = "vit-ti16";
    s.seed = 3;
    w.workspace()->setModelSource(s);
    w.findChild<ToMePanel*>()->rSlider()->setValue(4);
}

bool attentionSettled(ToMePanel* panel)
{
    QTest::qWait(400); // past the debounce
    return QTest::qWaitFor([&] { return panel->attention()->result() && !panel->attention()->runner()->isRunning()
                                        && panel->result() && !panel->runner()->isRunning(); }, 120000);
}

QImage pixelsOf(const Figure& f) { return renderFigure(f).convertToFormat(QImage::Format_RGB32); }

// Block 5, head 1 (or the mean with rollout) shown in the window.
void showAttention(ToMePanel* panel, bool rollout)
{
    AttentionPane* a = panel->attention();
    a->showBox()->setChecked(true);
    a->blockBox()->setValue(5);
    a->rolloutBox()->setChecked(rollout);
    QTRY_VERIFY_WITH_TIMEOUT(a->headBox()->count() == 4, 60000); // mean + 3 heads, once the model is known
    a->headBox()->setCurrentIndex(rollout ? 0 : 2);
}

} // namespace

class TestAttentionView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QCoreApplication::setOrganizationName("TokenScopeTests"); }
    void notRecordedUntilShown();
    void windowFigureEqualsCommandLine_data();
    void windowFigureEqualsCommandLine();
    void exportedRecipesRegenerate_data();
    void exportedRecipesRegenerate();
    void exportAllWritesTheAttentionView();
    void sessionRestoresTheFigure();
    void colourBarSpansTheValues();
    void prefixTokensAreTheirOwnRow();
    void escapeCancelsBothRuns();
};

void TestAttentionView::notRecordedUntilShown()
{
    MainWindow w;
    setUp(w);
    auto* panel = w.findChild<ToMePanel*>();
    QTest::qWait(400);
    QVERIFY(QTest::qWaitFor([&] { return panel->result() && !panel->runner()->isRunning(); }, 60000));
    QCOMPARE(panel->attention()->runner()->generation(), quint64(0)); // no attention run at all
    QVERIFY(!panel->attention()->figure());
    QCOMPARE(int(panel->shownFigures().size()), 1);
    QVERIFY(!panel->attention()->area()->isVisibleTo(panel));
    panel->attention()->showBox()->setChecked(true);
    QVERIFY(attentionSettled(panel));
    QVERIFY(panel->attention()->area()->isVisibleTo(panel));
    QCOMPARE(int(panel->shownFigures().size()), 2);
    panel->attention()->showBox()->setChecked(false); // hidden again: nothing kept
    QVERIFY(!panel->attention()->result());
    QCOMPARE(int(panel->shownFigures().size()), 1);
}

void TestAttentionView::windowFigureEqualsCommandLine_data()
{
    QTest::addColumn<bool>("rollout");
    QTest::newRow("block 5, head 1") << false;
    QTest::newRow("rollout, mean") << true;
}

// The command is written out here by hand (not taken from the recipe), as a user would type it.
void TestAttentionView::windowFigureEqualsCommandLine()
{
    QFETCH(bool, rollout);
    MainWindow w;
    w.resize(1400, 950);
    w.show();
    setUp(w);
    auto* panel = w.findChild<ToMePanel*>();
    showAttention(panel, rollout);
    QVERIFY(attentionSettled(panel));
    const std::optional<Figure> shown = panel->attention()->figure();
    QVERIFY(shown);
    QCOMPARE(panel->attention()->view()->figure()->size, shown->size); // the view paints this figure

    QTemporaryDir dir;
    const QString out = dir.filePath("attention.png");
    QStringList args{"attention", "--image", test::sampleImage("coffee.png"), "--preset", "vit-ti16", "--seed", "3", "--r", "4",
                     "--block", "5", "--out", out};
    args << (rollout ? QStringList{"--mean", "--rollout"} : QStringList{"--head", "1"});
    const test::CliRun run = test::runTokenscope(args);
    QVERIFY2(run.code == 0, qPrintable(run.err));
    const QImage cli = QImage(out).convertToFormat(QImage::Format_RGB32);
    QCOMPARE(cli.size(), pixelsOf(*shown).size());
    QVERIFY(cli == pixelsOf(*shown));
}

// Exported from the window as PNG (2x), SVG and PDF: each file is valid, names its command, and
// that command run from the file's folder draws the same pixels.
void TestAttentionView::exportedRecipesRegenerate_data()
{
    QTest::addColumn<bool>("checkpoint");
    QTest::newRow("preset") << false;
    QTest::newRow("checkpoint, normalisation, schedule list") << true;
}

void TestAttentionView::exportedRecipesRegenerate()
{
    QFETCH(bool, checkpoint);
    QTemporaryDir dir;
    MainWindow w;
    setUp(w);
    auto* panel = w.findChild<ToMePanel*>();
    if (checkpoint) { // the app's own weights file, a custom normalisation and a list schedule
        ModelSource s = w.workspace()->modelSource();
        const std::string file = dir.filePath("ti.safetensors").toStdString();
        saveVitCheckpoint(*buildVit(s), file);
        s.checkpoint = file;
        w.workspace()->setModelSource(s);
        Normalisation n;
        n.mean[0] = n.mean[1] = n.mean[2] = 0.5f;
        n.std[0] = n.std[1] = n.std[2] = 0.25f;
        w.workspace()->setNormalisation(n);
        ToMeSettings t = panel->settings();
        t.schedule = ToMeSettings::Schedule::List;
        t.list = {6, 4, 2};
        panel->applySettings(t);
    }
    showAttention(panel, false);
    panel->attention()->rangeBox()->setCurrentIndex(1); // 0..max
    QVERIFY(attentionSettled(panel));
    const std::optional<Figure> figure = panel->attention()->figure();
    QVERIFY(figure);
    if (checkpoint)
        QVERIFY2(figure->command.contains("--checkpoint-sha256 ") && figure->command.contains("--norm-mean 0.5,0.5,0.5")
                     && figure->command.contains("--norm-std 0.25,0.25,0.25") && figure->command.contains("--schedule 6,4,2"),
                 qPrintable(figure->command));
    for (const char* name : {"att.png", "att.svg", "att.pdf"}) {
        const QString path = dir.filePath(name);
        exportFigure(*figure, path, QString(name).endsWith(".png") ? 2.0 : 1.0);
        QVERIFY(QFileInfo(path).size() > 0);
        if (QString(name).endsWith(".svg"))
            QVERIFY(QSvgRenderer(path).isValid());
        if (QString(name).endsWith(".pdf"))
            QVERIFY(test::fileBytes(path).startsWith("%PDF-"));
        const test::Rerun r = test::rerunEmbeddedCommand(path);
        QVERIFY2(r.error.isEmpty(), qPrintable(QString(name) + ": " + r.error + " (" + r.command + ")"));
        QVERIFY2(r.command.startsWith("tokenscope attention ") && r.command.contains("--head 1") && r.command.contains("--block 5")
                     && r.command.contains("--colour-range from-zero"),
                 qPrintable(r.command));
        QVERIFY2(!r.before.isNull() && r.before.width() > 100, name);
        QVERIFY2(r.after == r.before, qPrintable(QString(name) + ": " + r.command));
    }
}

void TestAttentionView::exportAllWritesTheAttentionView()
{
    MainWindow w;
    setUp(w);
    auto* panel = w.findChild<ToMePanel*>();
    showAttention(panel, true);
    QVERIFY(attentionSettled(panel));
    QTemporaryDir dir;
    exportAll(w.labsForExport(), w.currentSession(), dir.path());
    const QJsonObject index = QJsonDocument::fromJson(test::fileBytes(dir.filePath("index.json"))).object();
    QJsonObject view;
    for (const auto& t : index["tabs"].toArray())
        if (t.toObject()["view"].toString() == "attention")
            view = t.toObject();
    QCOMPARE(view["tab"].toString(), QString("ToMe"));
    QCOMPARE(view["figures"].toArray().size(), 3);
    QVERIFY(QSvgRenderer(dir.filePath("tome_attention.svg")).isValid());
    QVERIFY(test::fileBytes(dir.filePath("tome_attention.pdf")).startsWith("%PDF-"));
    const QJsonObject data = QJsonDocument::fromJson(test::fileBytes(dir.filePath("tome_attention.data.json"))).object();
    QCOMPARE(data["rollout"].toArray().size(), 196);
    QVERIFY(pixelsOf(*panel->attention()->figure()) == QImage(dir.filePath("tome_attention.png")).convertToFormat(QImage::Format_RGB32));
    const test::Rerun r = test::rerunEmbeddedCommand(dir.filePath("tome_attention.png"));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error + " (" + r.command + ")"));
    QVERIFY2(r.command.contains("--rollout") && r.command.contains("--mean"), qPrintable(r.command));
    QVERIFY(r.after == r.before);
}

void TestAttentionView::sessionRestoresTheFigure()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("a.tokenscope");
    QImage saved;
    {
        MainWindow w;
        setUp(w);
        auto* panel = w.findChild<ToMePanel*>();
        showAttention(panel, false);
        panel->attention()->rangeBox()->setCurrentIndex(1);
        QVERIFY(attentionSettled(panel));
        saved = pixelsOf(*panel->attention()->figure());
        QString error;
        QVERIFY2(w.saveSession(path, &error), qPrintable(error));
    }
    MainWindow w;
    QStringList problems;
    QVERIFY(w.openSession(path, &problems));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join("; ")));
    auto* panel = w.findChild<ToMePanel*>();
    QVERIFY(panel->attention()->showBox()->isChecked());
    QVERIFY(attentionSettled(panel));
    QCOMPARE(panel->attention()->headBox()->currentIndex(), 2);
    QCOMPARE(panel->attention()->blockBox()->value(), 5);
    QCOMPARE(panel->attention()->rangeBox()->currentIndex(), 1);
    QVERIFY(pixelsOf(*panel->attention()->figure()) == saved);
}

// The bar's ends are the smallest and largest value drawn (patches and prefix cells), or 0 and the
// largest; 1/n is n = 197 input tokens; and the rendered bar shows it: viridis' ends at its ends,
// the dark reference line at 1/n's height, the largest patch in viridis' top colour.
void TestAttentionView::colourBarSpansTheValues()
{
    ModelSource source;
    source.preset = "vit-ti16";
    source.seed = 3;
    AttentionRequest request;
    request.model = buildVit(source);
    request.imageRgb = loadImage(test::sampleImage("coffee.png").toStdString()).rgb;
    request.schedule = ToMeSchedule::constant(4);
    request.block = 4;
    const AttentionResult result = runAttention(request);
    ToMeSettings settings;
    settings.model.source = source;
    settings.r = 4;
    std::vector<float> all = result.classToPatches;
    all.insert(all.end(), result.prefixToPrefix[0].begin(), result.prefixToPrefix[0].end());
    const auto [lo, hi] = std::minmax_element(all.begin(), all.end());

    const AttentionFigureData data = attentionFigureData(result, settings);
    QCOMPARE(data.bar.lo, double(*lo));
    QCOMPARE(data.bar.hi, double(*hi));
    QCOMPARE(data.inputTokens, 197);
    QCOMPARE(data.bar.reference, 1.0 / 197);
    QVERIFY(data.bar.referenceLabel.contains("1/197"));
    for (double t : colourBarTicks(data.bar.lo, data.bar.hi))
        QVERIFY(t > data.bar.lo && t < data.bar.hi);
    settings.attention.range = AttentionSettings::Range::FromZero;
    const AttentionFigureData zero = attentionFigureData(result, settings);
    QCOMPARE(zero.bar.lo, 0.0);
    QCOMPARE(zero.bar.hi, double(*hi));

    const QImage image = pixelsOf(attentionFigure(result, settings));
    const AttentionFigureLayout l = attentionFigureLayout(zero, QRectF(QPointF(0, 0), attentionFigureSize(zero)));
    auto near = [](QColor a, QColor b) { return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue()) < 30; };
    const int x = int(l.bar.center().x());
    QVERIFY(near(image.pixelColor(x, int(l.bar.top()) + 2), viridisColour(1)));
    QVERIFY(near(image.pixelColor(x, int(l.bar.bottom()) - 2), viridisColour(0)));
    const double refY = l.bar.bottom() - (1.0 / 197) / *hi * l.bar.height();
    QVERIFY(1.0 / 197 < *hi);
    int darkest = 255; // the line is 1.5 px, antialiased: one of the rows about refY is dark
    for (int y = int(refY) - 1; y <= int(refY) + 1; ++y)
        darkest = std::min(darkest, image.pixelColor(x, y).lightness());
    QVERIFY2(darkest < 60, "no reference line at 1/n");
    QVERIFY(image.pixelColor(x, int(refY) - 5).lightness() > 60); // and not a dark bar there anyway
    const int top = int(std::max_element(result.classToPatches.begin(), result.classToPatches.end()) - result.classToPatches.begin());
    const double cell = l.map.width() / result.grid;
    const QPointF centre(l.map.left() + (top % result.grid + 0.5) * cell, l.map.top() + (top / result.grid + 0.5) * cell);
    const double t = result.classToPatches[std::size_t(top)] / *hi;
    QVERIFY(near(image.pixelColor(centre.toPoint()), viridisColour(t)));
}

// A DeiT-distilled model with four registers (as a result the core would give): the class token's
// weight on the class, distillation and register tokens is a panel of named cells in the map's
// colours, and a reference outside the range is still named.
void TestAttentionView::prefixTokensAreTheirOwnRow()
{
    AttentionResult r;
    r.config = vitPreset("vit-ti16");
    r.config.distillationToken = true;
    r.config.registers = 4;
    r.grid = r.config.gridSize();
    r.crop = cv::Mat(224, 224, CV_8UC3, cv::Scalar(90, 90, 90));
    r.tokens = r.config.numTokens();
    r.classToPatches.assign(196, 0.3f / 196);
    r.classToPatches[17] = 0.3f / 196 + 0.05f; // one bright patch
    const std::vector<float> prefix = {0.1f, 0.2f, 0.05f, 0.15f, 0.1f, 0.0f};
    r.prefixToPrefix = {prefix};
    r.prefixToPatches = {r.classToPatches};
    ToMeSettings s;
    const AttentionFigureData d = attentionFigureData(r, s);
    QCOMPARE(d.prefixNames, (QStringList{"class", "dist", "reg 1", "reg 2", "reg 3", "reg 4"}));
    QCOMPARE(d.prefix, prefix);
    QCOMPARE(d.inputTokens, 196 + 6);
    QCOMPARE(d.bar.lo, 0.0);
    QCOMPARE(d.bar.hi, double(0.2f)); // the distillation cell is the largest value shown
    const QImage image = pixelsOf(attentionFigure(r, s));
    const AttentionFigureLayout l = attentionFigureLayout(d, QRectF(QPointF(0, 0), attentionFigureSize(d)));
    QVERIFY(l.prefix.left() > l.map.right()); // a panel of their own beside the map
    for (int i = 0; i < 6; ++i) { // each cell's corner, clear of its name and value
        const QRectF cell = attentionPrefixCell(l, d, i);
        QVERIFY(l.prefix.contains(cell));
        const QColor c = image.pixelColor((cell.topLeft() + QPointF(5, 5)).toPoint());
        const QColor want = colourBarColour(d.bar, prefix[std::size_t(i)]);
        QVERIFY2(std::abs(c.red() - want.red()) + std::abs(c.green() - want.green()) + std::abs(c.blue() - want.blue()) < 30,
                 qPrintable(QString("cell %1").arg(i)));
    }
    QVERIFY(d.bar.reference < d.bar.hi && d.bar.reference > d.bar.lo); // 1/202 lies inside 0..0.2
    r.prefixToPrefix = {{0.5f, 0.6f, 0.5f, 0.5f, 0.5f, 0.5f}};
    std::fill(r.classToPatches.begin(), r.classToPatches.end(), 0.01f);
    const AttentionFigureData above = attentionFigureData(r, s);
    QVERIFY(above.bar.reference < above.bar.lo); // 1/202 below every value: named under the bar
    QVERIFY(!pixelsOf(attentionFigure(r, s)).isNull());
}

// The tab has two runs (the map's and the attention's): one Esc stops both, as Cancel does.
void TestAttentionView::escapeCancelsBothRuns()
{
    MainWindow w;
    w.resize(1400, 950);
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    auto* panel = w.findChild<ToMePanel*>();
    QVERIFY(QTest::qWaitFor([&] { return panel->result() && !panel->runner()->isRunning(); }, 120000));
    panel->attention()->showBox()->setChecked(true);
    panel->attention()->rolloutBox()->setChecked(true);
    QSignalSpy mapCancelled(panel->runner(), &JobRunner::cancelled);
    QSignalSpy attentionCancelled(panel->attention()->runner(), &JobRunner::cancelled);
    ModelSource s = w.workspace()->modelSource();
    s.preset = "vit-b16";
    s.imageSize = 448; // seconds per pass here: both runs are still in flight when Esc comes
    w.workspace()->setModelSource(s);
    QTRY_VERIFY_WITH_TIMEOUT(panel->runner()->isRunning() && panel->attention()->runner()->isRunning(), 10000);
    QTest::keyClick(&w, Qt::Key_Escape);
    QTRY_COMPARE_WITH_TIMEOUT(mapCancelled.count(), 1, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(attentionCancelled.count(), 1, 60000);
    // The cancelled jobs stop at their next check; the window closes after they have.
    QTRY_VERIFY_WITH_TIMEOUT(!panel->runner()->isRunning() && !panel->attention()->runner()->isRunning(), 60000);
    modelThreadPool()->waitForDone();
}

QTEST_MAIN(TestAttentionView)
#include "tst_attention_view.moc"
