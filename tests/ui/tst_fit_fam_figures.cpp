// The FIT and FAM figures as a reader sees them, through the real window: laid out in the lab's
// view at the default (1400x820) and the smallest (1000x700) window and exported at scale 2, no
// text clipped, outside the figure, overlapping or on the data (the layout record,
// tests/common/figure_checks.h); the colour bars span the data shown (fixed and data range) and
// mark uniform attention 1/n; the pixels have the bar's colours; FAM's drawn memory and FAM shares
// are the side text's, memory segments are drawn where that text says attention goes, any query
// can be picked (a click on a patch too), and the synthetic stream runs at the length set.
#include "core/fam/fam_api.h"
#include "core/fit/fit_api.h"
#include "core/settings/settings_json.h"
#include "tests/common/figure_checks.h"
#include "tests/common/test_paths.h"
#include "ui/figures/fam_overlay_figure.h"
#include "ui/figures/fit_overlay_figure.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/fam/fam_panel.h"
#include "ui/labs/fit/fit_panel.h"
#include "ui/labs/fit/fit_view.h"
#include "ui/shell/main_window.h"
#include "ui/widgets/figure_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QtTest>

#include <algorithm>
#include <numeric>

using namespace ts;

class TestFitFamFigures : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void fitLayoutAtEverySize();
    void fitColourBarsSpanTheData();
    void famLayoutAtEverySize();
    void famDrawsMemoryAndMatchesTheText();
    void famAnyQueryIsSelectable();
    void famColourRangeModes();
    void famStreamRunsAtTheLengthSet();
    void cleanupTestCase();

private:
    // Runs the FAM lab with `settings` changed by `change` and waits for its result.
    bool runFam(const std::function<void(FamSettings&)>& change);
    void checkLayouts(QWidget* view, const std::function<std::optional<Figure>()>& figure);

    MainWindow* m_window = nullptr;
    FitPanel* m_fit = nullptr;
    FamPanel* m_fam = nullptr;
};

void TestFitFamFigures::initTestCase()
{
    QCoreApplication::setOrganizationName("TokenScopeTests");
    m_window = new MainWindow;
    m_window->resize(1400, 820);
    m_window->show();
    m_fit = m_window->findChild<FitPanel*>();
    m_fam = m_window->findChild<FamPanel*>();
    QVERIFY(m_fit && m_fam);
    QVERIFY(m_window->openImage(test::sampleImage("chelsea.png")));
    m_window->tabs()->setCurrentWidget(m_fit);
    // 224 px = 14 x 14 patches, g = 4: padded to 16 x 16, 16 groups of 16 slots.
    m_fit->sizeSpin()->setValue(224);
    m_fit->patternEdit()->setText("L(1)G(1)L(1)G(1)");
    m_fit->runNow();
    QTRY_VERIFY_WITH_TIMEOUT(m_fit->result() && m_fit->result()->grouping.gridRows() == 14 && !m_fit->runner()->isRunning(), 120000);
    QTRY_VERIFY(m_fit->view()->hasOverlay());
}

// The view at both window sizes and the export at scale 2: every text inside, unclipped, >= 11 px
// (22 at scale 2), overlapping no other text and no data.
void TestFitFamFigures::checkLayouts(QWidget* view, const std::function<std::optional<Figure>()>& figure)
{
    for (const QSize size : {QSize(1400, 820), QSize(1000, 700)}) {
        m_window->resize(size);
        QTest::qWait(50);
        QRectF bounds;
        const FigureRecord record = test::recordWidget(*view, &bounds);
        TS_CHECK_FIGURE_LAYOUT(record, bounds);
        // The figure fills the view in the direction that limits it (square images side by side
        // in a view narrower than twice its height: the width).
        QRectF used;
        for (const PlacedItem& item : record.items)
            used = used.united(item.rect);
        QVERIFY2(used.width() > 0.9 * bounds.width() || used.height() > 0.9 * bounds.height(),
                 qPrintable(QString("figure %1 x %2 in a %3 x %4 view").arg(used.width()).arg(used.height()).arg(bounds.width()).arg(bounds.height())));
    }
    const std::optional<Figure> f = figure();
    QVERIFY(f);
    QRectF bounds;
    const FigureRecord record = test::recordFigure(*f, 2.0, &bounds);
    TS_CHECK_FIGURE_LAYOUT(record, bounds, test::FigureCheckOptions{0.75, 22, true});
    m_window->resize(1400, 820);
    QTest::qWait(50);
}

void TestFitFamFigures::fitLayoutAtEverySize()
{
    for (int range : {0, 1}) {
        m_fit->rangeBox()->setCurrentIndex(range);
        checkLayouts(m_fit->view(), [this] { return m_fit->currentFigure(); });
    }
}

void TestFitFamFigures::fitColourBarsSpanTheData()
{
    const FitResult& r = *m_fit->result();
    const FitOverlayData* d = m_fit->view()->overlay();
    QVERIFY(d);
    QCOMPARE(d->read.size(), std::size_t(16)); // the centre group: a full 4 x 4 window
    // Fixed: 0 to the largest weight of this group over both blocks (each has a global layer).
    m_fit->rangeBox()->setCurrentIndex(0);
    d = m_fit->view()->overlay();
    double readMax = 0, globalMax = 0;
    for (int block : {0, 1}) {
        for (float v : fitReadHeatmap(r, block, d->group, -1))
            readMax = std::max(readMax, double(v));
        for (float v : fitGlobalHeatmap(r, block, d->group))
            globalMax = std::max(globalMax, double(v));
    }
    QCOMPARE(d->readBar.lo, 0.0);
    QCOMPARE(d->readBar.hi, readMax);
    QCOMPARE(d->globalBar.lo, 0.0);
    QCOMPARE(d->globalBar.hi, globalMax);
    // Uniform attention: 1/16 over the window's 16 patches, 1/16 over the 16 groups.
    QCOMPARE(d->readBar.reference, 1.0 / 16);
    QCOMPARE(d->globalBar.reference, 1.0 / 16);
    QVERIFY(m_fit->currentFigure()->command.contains("--colour-range fixed"));
    // Data: the map's own min and max.
    m_fit->rangeBox()->setCurrentIndex(1);
    d = m_fit->view()->overlay();
    const auto [lo, hi] = std::minmax_element(d->read.begin(), d->read.end());
    QCOMPARE(d->readBar.lo, double(*lo));
    QCOMPARE(d->readBar.hi, double(*hi));
    const auto [glo, ghi] = std::minmax_element(d->global.begin(), d->global.end());
    QCOMPARE(d->globalBar.lo, double(*glo));
    QCOMPARE(d->globalBar.hi, double(*ghi));
    QVERIFY(m_fit->currentFigure()->command.contains("--colour-range data"));
    // The pixels are the bar's colours: the window's first patch, on screen.
    int r0, c0, rows, cols;
    d->grouping.groupRect(d->group, &r0, &c0, &rows, &cols);
    const QRectF left = m_fit->view()->panelRect(0);
    const QPointF centre(left.left() + left.width() * (c0 + 0.5) / d->grouping.gridCols(),
                         left.top() + left.height() * (r0 + 0.5) / d->grouping.gridRows());
    const QColor shown = m_fit->view()->grab().toImage().pixelColor(centre.toPoint());
    const QColor expected = colourBarColour(d->readBar, d->read.front());
    QVERIFY2(std::abs(shown.red() - expected.red()) <= 2 && std::abs(shown.green() - expected.green()) <= 2
                 && std::abs(shown.blue() - expected.blue()) <= 2,
             qPrintable(shown.name() + " vs " + expected.name()));
    // The input size is stated once, and the model panel's other size explained.
    QVERIFY(m_fit->infoLabel()->text().contains("224 × 224 px"));
    QVERIFY(m_fit->infoLabel()->text().contains("for ToMe and FAM"));
    QVERIFY(m_fit->infoLabel()->text().contains("for the forward pass"));
}

bool TestFitFamFigures::runFam(const std::function<void(FamSettings&)>& change)
{
    m_window->tabs()->setCurrentWidget(m_fam);
    QTest::qWait(400); // past the debounce of any pending run
    if (!QTest::qWaitFor([&] { return !m_fam->runner()->isRunning(); }, 120000))
        return false;
    QSignalSpy finished(m_fam->runner(), &JobRunner::finished);
    FamSettings s = m_fam->settings();
    change(s);
    m_fam->applySettings(s);
    if (!finished.wait(120000)) {
        qWarning("no FAM result: running %d, settings %s", int(m_fam->runner()->isRunning()), toJson(m_fam->settings()).dump().c_str());
        return false;
    }
    return QTest::qWaitFor([&] { return !m_fam->runner()->isRunning(); }, 120000);
}

void TestFitFamFigures::famLayoutAtEverySize()
{
    for (bool withFam : {false, true}) {
        QVERIFY(runFam([withFam](FamSettings& s) {
            s.block = 16, s.memory = 2, s.fam = 4, s.withFam = withFam, s.overlayBlock = 5, s.layer = 12, s.query = -1;
        }));
        checkLayouts(m_fam->view(), [this] { return m_fam->currentFigure(); });
    }
}

void TestFitFamFigures::famDrawsMemoryAndMatchesTheText()
{
    // BSWA: the block's 16 queries see 2 memory segments (32 keys) and the block's 16 (bidirectional).
    QVERIFY(runFam([](FamSettings& s) { s.block = 16, s.memory = 2, s.withFam = false, s.overlayBlock = 5, s.query = -1; }));
    const FamResult& r = *m_fam->result();
    const FamOverlayData d = famOverlayData(r);
    QCOMPARE(d.memoryAttention.size(), std::size_t(32));
    QCOMPARE(d.memoryFirstToken, std::int64_t(48));
    QCOMPARE(d.bar.reference, 1.0 / 48);
    QCOMPARE(d.bar.lo, 0.0);
    std::vector<float> all = d.attention;
    all.insert(all.end(), d.memoryAttention.begin(), d.memoryAttention.end());
    QCOMPARE(d.bar.hi, double(*std::max_element(all.begin(), all.end())));
    // The shares drawn are the text's, and the drawn cells sum to them.
    const FamShares drawn = famShares(d);
    QVERIFY(drawn.memory > 0.01);
    QCOMPARE(drawn.previousFam, 0.0);
    QVERIFY(std::abs(drawn.block + drawn.memory - 1.0) < 1e-4);
    QVERIFY(std::abs(drawn.memory - r.overlayOnMemory) < 1e-5);
    QVERIFY2(m_fam->infoLabel()->text().contains(famSharesText(drawn)), qPrintable(m_fam->infoLabel()->text()));
    QVERIFY(m_fam->currentFigure()->description.contains("block's queries"));
    // A memory segment's first patch is drawn in its weight's colour (not dimmed, not grey).
    const QImage screen = m_fam->view()->grab().toImage();
    const QRectF box = famOverlayImageRect(m_fam->view()->paintTarget(), d);
    const double cell = box.width() / d.grid;
    const std::int64_t token = d.memoryFirstToken + 3; // clear of the block number at the first patch
    const QPoint at(int(box.left() + (token % d.grid + 0.5) * cell), int(box.top() + (token / d.grid + 0.5) * cell));
    const QColor shown = screen.pixelColor(at), expected = colourBarColour(d.bar, d.memoryAttention[3]);
    QVERIFY2(std::abs(shown.red() - expected.red()) <= 2 && std::abs(shown.green() - expected.green()) <= 2
                 && std::abs(shown.blue() - expected.blue()) <= 2,
             qPrintable(shown.name() + " vs " + expected.name()));

    // FAM: its queries skip the memory segments (0%, drawn grey) and see the previous FAM and the block.
    QVERIFY(runFam([](FamSettings& s) { s.withFam = true, s.fam = 4; }));
    const FamOverlayData f = famOverlayData(*m_fam->result());
    const FamShares famDrawn = famShares(f);
    QCOMPARE(famDrawn.memory, 0.0);
    QVERIFY(famDrawn.previousFam > 0);
    QCOMPARE(f.famAttention.size(), std::size_t(4));
    QCOMPARE(f.bar.reference, 1.0 / 20);
    QVERIFY(m_fam->infoLabel()->text().contains(famSharesText(famDrawn)));
    const QColor grey = m_fam->view()->grab().toImage().pixelColor(at);
    QVERIFY2(grey == QColor(150, 150, 150), qPrintable(grey.name()));
}

void TestFitFamFigures::famAnyQueryIsSelectable()
{
    // Token 3 of block 5 with FAM: 32 memory keys, 4 FAM, 16 block tokens, all visible.
    QVERIFY(runFam([](FamSettings& s) { s.block = 16, s.memory = 2, s.withFam = true, s.fam = 4, s.overlayBlock = 5, s.query = 3; }));
    const FamResult& r = *m_fam->result();
    QCOMPARE(r.overlayQuery, 3);
    QCOMPARE(r.overlayVisibleKeys, 52.0);
    const FamShares s = famShares(r);
    QVERIFY(std::abs(s.block + s.previousFam + s.memory - 1.0) < 1e-4);
    QVERIFY(s.memory > 0); // a block token sees the memory segments
    QVERIFY(m_fam->currentFigure()->command.contains("--query 3"));
    // A click on patch 2 * 16 + 7 = 39 picks block 2, query 7.
    const FamOverlayData d = famOverlayData(r);
    const QRectF box = famOverlayImageRect(m_fam->view()->paintTarget(), d);
    const double cell = box.width() / d.grid;
    const QPoint at(int(box.left() + (39 % d.grid + 0.5) * cell), int(box.top() + (39 / d.grid + 0.5) * cell));
    QSignalSpy finished(m_fam->runner(), &JobRunner::finished);
    QTest::mouseClick(m_fam->view(), Qt::LeftButton, {}, at);
    QVERIFY(finished.wait(120000));
    QCOMPARE(m_fam->result()->overlayBlock, 2);
    QCOMPARE(m_fam->result()->overlayQuery, 7);
}

// The FAM panel's colour range: each choice gives the bar its range (0..max, the seen keys'
// min..max, 0..1), the cells on screen are drawn in that bar's colours, keys not seen stay grey,
// and the recipe and the session carry the choice; changing it redraws without a rerun.
void TestFitFamFigures::famColourRangeModes()
{
    // FAM queries: they skip the memory segments (exact zeros, grey) and see the FAM and the block.
    QVERIFY(runFam([](FamSettings& s) {
        s.block = 16, s.memory = 1, s.withFam = true, s.fam = 4, s.overlayBlock = 5, s.query = -1, s.range = FamSettings::Range::FromZero;
    }));
    const FamResult& r = *m_fam->result();
    std::vector<float> seen;
    for (const auto* v : {&r.overlayAttention, &r.overlayFamAttention, &r.overlayMemoryAttention})
        for (float x : *v)
            if (x > 0)
                seen.push_back(x);
    QCOMPARE(seen.size(), std::size_t(20)); // 16 block keys and 4 FAM keys
    const auto [lo, hi] = std::minmax_element(seen.begin(), seen.end());
    QVERIFY(*lo > 0 && *lo < *hi);

    struct Mode {
        FamSettings::Range range;
        double lo, hi;
        const char* name;
        const char* footer;
    };
    const Mode modes[] = {{FamSettings::Range::FromZero, 0.0, double(*hi), "from-zero", "from 0 to the largest weight shown"},
                          {FamSettings::Range::Data, double(*lo), double(*hi), "data", "from the smallest to the largest"},
                          {FamSettings::Range::Fixed, 0.0, 1.0, "fixed", "from 0 to 1 (fixed)"}};
    const std::int64_t token = r.overlayFirstToken + 3;
    for (const Mode& m : modes) {
        m_fam->rangeBox()->setCurrentIndex(static_cast<int>(m.range));
        QVERIFY(!m_fam->runner()->isRunning()); // a redraw, not a run
        QVERIFY(m_fam->settings().range == m.range);
        const FamOverlayData d = famOverlayData(r, m.range);
        QCOMPARE(d.bar.lo, m.lo);
        QCOMPARE(d.bar.hi, m.hi);
        QCOMPARE(d.bar.reference, 1.0 / 20);
        const std::optional<Figure> figure = m_fam->currentFigure();
        QVERIFY(figure && figure->command.contains(QString("--colour-range ") + m.name));
        QVERIFY2(figure->description.contains(m.footer), qPrintable(figure->description));
        // On screen: a block token's cell in this bar's colour; a memory cell grey.
        const QImage screen = m_fam->view()->grab().toImage();
        const QRectF box = famOverlayImageRect(m_fam->view()->paintTarget(), d);
        const double cell = box.width() / d.grid;
        auto centre = [&](std::int64_t t) {
            return QPoint(int(box.left() + (t % d.grid + 0.5) * cell), int(box.top() + (t / d.grid + 0.5) * cell));
        };
        const QColor shown = screen.pixelColor(centre(token)), expected = colourBarColour(d.bar, d.attention[3]);
        QVERIFY2(std::abs(shown.red() - expected.red()) <= 2 && std::abs(shown.green() - expected.green()) <= 2
                     && std::abs(shown.blue() - expected.blue()) <= 2,
                 qPrintable(QString(m.name) + ": " + shown.name() + " vs " + expected.name()));
        QCOMPARE(screen.pixelColor(centre(d.memoryFirstToken + 3)), QColor(150, 150, 150));
    }
    // The session keeps the choice.
    const QJsonObject state = m_fam->saveState();
    QCOMPARE(state.value("range").toString(), QString("fixed"));
    m_fam->rangeBox()->setCurrentIndex(0);
    QVERIFY(m_fam->restoreState(state).isEmpty());
    QCOMPARE(m_fam->rangeBox()->currentIndex(), static_cast<int>(FamSettings::Range::Fixed));
    QTRY_VERIFY_WITH_TIMEOUT(!m_fam->runner()->isRunning(), 120000);
}

void TestFitFamFigures::famStreamRunsAtTheLengthSet()
{
    QVERIFY(runFam([](FamSettings& s) {
        s.image.clear();
        s.streamLength = 300;
        s.block = 32, s.memory = 1, s.fam = 2, s.withFam = true, s.overlayBlock = 4, s.query = -1;
    }));
    const FamResult& r = *m_fam->result();
    QVERIFY(!r.imageMode);
    QCOMPARE(r.length, std::int64_t(300));
    QCOMPARE(r.blocks, std::int64_t(10));
    QVERIFY(m_fam->streamBox()->isChecked());
    QCOMPARE(m_fam->streamLengthBox()->value(), 300);
    QVERIFY(m_fam->currentFigure()->command.contains("--stream-length 300"));
    checkLayouts(m_fam->view(), [this] { return m_fam->currentFigure(); });
    m_fam->streamBox()->setChecked(false);
}

void TestFitFamFigures::cleanupTestCase() { delete m_window; }

QTEST_MAIN(TestFitFamFigures)
#include "tst_fit_fam_figures.moc"
