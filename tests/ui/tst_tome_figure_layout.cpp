// The ToMe lab's figures as a user relies on them: the merged-token figure (with and without a
// lineage) and the attention figure, in the window at the default and smallest window sizes and
// exported at scale 2, place every text item inside the figure, unclipped, at 11 px or more, and
// clear of every other text, legend and data area; the footer's numbers follow the block slider
// (the run's token count and the counted FLOPs of the blocks so far, checked against the
// closed-form count of a ViT block); random group colours are distinct per group and come back
// from a session pixel for pixel; the selected token is outlined; an invalid input leaves a
// marked figure; opening a new image clears the selection.
#include "core/tome/tome_api.h"
#include "ui/figures/attention_figure.h"
#include "ui/figures/merge_map_figure.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/tome/attention_pane.h"
#include "ui/labs/tome/merge_display_controls.h"
#include "ui/labs/tome/merge_view.h"
#include "ui/labs/tome/tome_panel.h"
#include "ui/shell/main_window.h"
#include "ui/shell/workspace.h"
#include "ui/widgets/figure_view.h"
#include "tests/common/figure_checks.h"
#include "tests/common/test_paths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using namespace ts;

namespace {

bool settled(ToMePanel* panel)
{
    QTest::qWait(400); // past the debounce
    return QTest::qWaitFor([&] { return panel->result() && panel->view()->hasData() && !panel->runner()->isRunning(); }, 120000);
}

bool attentionSettled(ToMePanel* panel)
{
    QTest::qWait(400);
    return QTest::qWaitFor([&] { return panel->attention()->result() && !panel->attention()->runner()->isRunning(); }, 120000);
}

// The closed-form matmul FLOPs of one ViT block without merging (one multiply-add = 2 FLOPs):
// qkv 6NC^2, QK^T and AV 2N^2C each, the projection 2NC^2, the MLP 16NC^2.
double plainBlockFlops(double n, double c) { return 24 * n * c * c + 4 * n * n * c; }

// Selects `patch` (-1: none) by clicking the map, as a user would.
void select(ToMePanel* panel, int patch)
{
    const int current = panel->selectedPatch();
    if (current == patch)
        return;
    const int target = patch >= 0 ? patch : current; // a second click on the selection clears it
    const QRectF map = mergeMapLayout(panel->view()->shownData(), panel->view()->figureRect()).map;
    const int grid = panel->view()->data().grid;
    const QPointF at(map.left() + (target % grid + 0.5) * map.width() / grid, map.top() + (target / grid + 0.5) * map.height() / grid);
    QTest::mouseClick(panel->view(), Qt::LeftButton, {}, at.toPoint());
}

QRgb pixelAtCell(const QImage& map, int grid, int patch)
{
    const int cell = map.width() / grid;
    return map.pixel((patch % grid) * cell + cell / 2, (patch / grid) * cell + cell / 2);
}

} // namespace

class TestTomeFigureLayout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanAtEverySize_data();
    void cleanAtEverySize();
    void footerFollowsTheBlock();
    void selectedTokenIsOutlined();
    void randomColoursDistinctAndRestored();
    void invalidInputMarksTheFigure();
    void newImageClearsTheSelection();
    void cleanupTestCase() { delete m_window; }

private:
    MainWindow* m_window = nullptr;
    ToMePanel* m_panel = nullptr;
};

void TestTomeFigureLayout::initTestCase()
{
    QCoreApplication::setOrganizationName("TokenScopeTests");
    m_window = new MainWindow;
    m_window->resize(1400, 820);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    m_panel = m_window->findChild<ToMePanel*>();
    QVERIFY(m_window->openImage(test::sampleImage("chelsea.png")));
    QVERIFY(settled(m_panel));
}

void TestTomeFigureLayout::cleanAtEverySize_data()
{
    QTest::addColumn<bool>("lineage");
    QTest::addColumn<bool>("attention");
    QTest::addColumn<QSize>("window"); // empty: the exported figures at scale 2
    for (bool attention : {false, true})
        for (bool lineage : {false, true}) {
            const QString name = QString(lineage ? "lineage" : "no lineage") + (attention ? ", attention" : "");
            QTest::newRow(qPrintable(name + ", 1400x820")) << lineage << attention << QSize(1400, 820);
            QTest::newRow(qPrintable(name + ", 1000x700")) << lineage << attention << QSize(1000, 700);
            QTest::newRow(qPrintable(name + ", export x2")) << lineage << attention << QSize();
        }
}

void TestTomeFigureLayout::cleanAtEverySize()
{
    QFETCH(bool, lineage);
    QFETCH(bool, attention);
    QFETCH(QSize, window);
    AttentionPane* pane = m_panel->attention();
    if (pane->showBox()->isChecked() != attention) {
        pane->showBox()->setChecked(attention);
        if (attention)
            QVERIFY(attentionSettled(m_panel));
    }
    select(m_panel, lineage ? 5 * m_panel->result()->grid + 6 : -1);
    QCOMPARE(m_panel->selectedPatch(), lineage ? 5 * m_panel->result()->grid + 6 : -1);
    QCOMPARE(m_panel->view()->data().hasLineage(), lineage);

    const test::FigureCheckOptions scale1{0.75, 11, true}, scale2{0.75, 22, true};
    if (window.isEmpty()) {
        for (const ShownFigure& shown : m_panel->shownFigures()) {
            QRectF bounds;
            const FigureRecord record = test::recordFigure(shown.figure, 2, &bounds);
            TS_CHECK_FIGURE_LAYOUT(record, bounds, scale2);
        }
        QCOMPARE(int(m_panel->shownFigures().size()), attention ? 2 : 1);
        return;
    }
    // The smallest window the shell allows, when that is above the size asked for.
    m_window->resize(window.expandedTo(m_window->minimumSizeHint()));
    QTest::qWait(100); // the layouts settle
    QVERIFY2(m_window->width() <= std::max(window.width(), 1100) && m_window->height() <= std::max(window.height(), 800),
             qPrintable(QString("window %1 x %2").arg(m_window->width()).arg(m_window->height())));
    QRectF bounds;
    const FigureRecord record = test::recordWidget(*m_panel->view(), &bounds);
    TS_CHECK_FIGURE_LAYOUT(record, bounds, scale1);
    // The figure fills the view: what it placed spans most of the view's width or height.
    const MergeMapLayout l = mergeMapLayout(m_panel->view()->data(), bounds);
    QRectF used;
    for (const auto& [spec, boxes] : l.parts) {
        used |= boxes.title | boxes.caption | boxes.legend;
        for (const PanelBoxes& p : boxes.panels)
            used |= p.frame;
    }
    QVERIFY2(used.width() > 0.85 * bounds.width() || used.height() > 0.85 * bounds.height(),
             qPrintable(QString("figure uses %1 x %2 of %3 x %4").arg(used.width()).arg(used.height()).arg(bounds.width()).arg(bounds.height())));
    if (attention) {
        FigureView* view = pane->view();
        QVERIFY(view->isVisible());
        QVERIFY2(view->height() >= view->minimumHeight(), "the attention view is squeezed below what its text needs");
        const FigureRecord a = test::recordWidget(*view, &bounds);
        TS_CHECK_FIGURE_LAYOUT(a, bounds, scale1);
        QVERIFY(m_panel->view()->height() >= m_panel->view()->minimumHeight());
    }
}

void TestTomeFigureLayout::footerFollowsTheBlock()
{
    const ToMeResult& r = *m_panel->result();
    const double c = r.config.width;
    QCOMPARE(int(r.flopsPerBlockPlain.size()), r.depth());
    QCOMPARE(int(r.flopsPerBlockMerged.size()), r.depth());
    for (int k : {0, 1, 3, r.depth()}) {
        m_panel->layerSlider()->setValue(k);
        const MergeMapData& d = m_panel->view()->data();
        QCOMPARE(d.layer, k);
        QCOMPARE(d.tokensAtLayer, r.tokens[std::size_t(k)]);
        const QString numbers = d.caption.join(' ');
        QVERIFY2(numbers.contains(QString("%1 tokens").arg(r.tokens[std::size_t(k)])), qPrintable(numbers));
        if (k == 0) {
            QVERIFY2(numbers.contains("before any block"), qPrintable(numbers));
            continue;
        }
        // Without merging every block sees all the input tokens: the closed form, block by block.
        double plain = 0;
        for (int b = 0; b < k; ++b) {
            QVERIFY(std::abs(r.flopsPerBlockPlain[std::size_t(b)] - plainBlockFlops(r.tokens.front(), c)) < 1e-6 * plain + 1);
            plain += plainBlockFlops(r.tokens.front(), c);
        }
        QVERIFY(std::abs(d.gflopPlainAtLayer - plain / 1e9) < 1e-9);
        QVERIFY2(numbers.contains(QString("%1 GFLOP without").arg(plain / 1e9, 0, 'f', 2)), qPrintable(numbers));
        // With merging: never more than without, and the blocks' sum within the whole pass.
        QVERIFY(d.gflopAtLayer <= d.gflopPlainAtLayer + 1e-12);
        QVERIFY2(numbers.contains(QString("blocks 1–%1: %2 GFLOP").arg(k).arg(d.gflopAtLayer, 0, 'f', 2)), qPrintable(numbers));
    }
    double sum = 0;
    for (double f : r.flopsPerBlockMerged)
        sum += f;
    QVERIFY(sum < r.flopsMerged.matmulTotal()); // embedding and head come on top
    QVERIFY(sum > 0.9 * r.flopsMerged.matmulTotal());
    // The plot marks the block shown.
    QCOMPARE(m_panel->view()->data().plot.current, r.depth());
}

void TestTomeFigureLayout::selectedTokenIsOutlined()
{
    select(m_panel, 100);
    QCOMPARE(m_panel->selectedPatch(), 100);
    const MergeMapData d = m_panel->view()->data();
    QVERIFY(!d.selectedOutline.empty());
    const Figure figure = *m_panel->currentFigure();
    const QImage image = renderFigure(figure, 1).convertToFormat(QImage::Format_RGB32);
    const MergeMapLayout l = mergeMapLayout(d, QRectF(QPointF(0, 0), figure.size));
    // About the middle of each outline edge on the map: the light core line, and the dark line
    // under it beside it (whatever the colours there).
    const double cell = l.map.width() / d.grid;
    int outlined = 0;
    for (const QLineF& e : d.selectedOutline) {
        const QPoint mid = (l.map.topLeft() + (e.p1() + e.p2()) / 2 * cell).toPoint();
        int lightest = 0, darkest = 255;
        for (int dy = -3; dy <= 3; ++dy)
            for (int dx = -3; dx <= 3; ++dx) {
                const int v = QColor(image.pixel(mid + QPoint(dx, dy))).lightness();
                if (std::abs(dx) <= 1 && std::abs(dy) <= 1)
                    lightest = std::max(lightest, v);
                darkest = std::min(darkest, v);
            }
        outlined += lightest > 230 && darkest < 80;
    }
    QVERIFY2(outlined == int(d.selectedOutline.size()), qPrintable(QString("%1 of %2 edges outlined").arg(outlined).arg(d.selectedOutline.size())));
    // The lineage's colour bar: one tick label per labelled block, whole block numbers from 0 to
    // the block shown, beside the bar.
    FigureRecord record;
    {
        FigureRecording recording(record);
        renderFigure(figure, 1);
    }
    QStringList blocks;
    for (const PlacedItem& t : record.ofKind(PlacedKind::Text))
        if (t.rect.left() > l.lineageBar.right() && t.rect.right() < l.lineageBar.right() + 40 && t.rect.center().y() > l.lineageBar.top()
            && t.rect.center().y() < l.lineageBar.bottom())
            blocks << t.text;
    QVERIFY2(blocks.contains("0") && blocks.contains(QString::number(d.layer)), qPrintable(blocks.join(',')));
    for (const QString& b : blocks) {
        bool whole = false;
        QVERIFY2(b.toInt(&whole) >= 0 && whole && b.toInt() <= d.layer, qPrintable(b));
    }
    // Without a selection nothing is drawn there.
    ToMeSettings none = m_panel->settings();
    none.selectedPatch = -1;
    QVERIFY(mergeMapData(*m_panel->result(), mergeMapOptions(none)).selectedOutline.empty());
    select(m_panel, -1);
    QCOMPARE(m_panel->selectedPatch(), -1);
}

void TestTomeFigureLayout::randomColoursDistinctAndRestored()
{
    m_panel->layerSlider()->setValue(6);
    m_panel->display()->coloursBox()->setCurrentIndex(1); // random
    const ToMeResult& r = *m_panel->result();
    const QImage map = m_panel->view()->data().map;
    const std::vector<int>& token = r.tokenOfPatch[6];
    std::map<int, QRgb> colourOf;
    for (int p = 0; p < r.grid * r.grid; ++p) {
        const QRgb c = pixelAtCell(map, r.grid, p);
        const auto [it, fresh] = colourOf.emplace(token[std::size_t(p)], c);
        QVERIFY2(fresh || it->second == c, qPrintable(QString("patch %1 differs from its group").arg(p)));
    }
    std::set<QRgb> distinct;
    for (const auto& [t, c] : colourOf)
        distinct.insert(c);
    QCOMPARE(int(distinct.size()), int(colourOf.size()));
    QCOMPARE(int(colourOf.size()), r.tokens[6] - r.config.prefixTokens());
    QVERIFY(m_panel->settings().colours == ToMeSettings::Colours::Random);

    QTemporaryDir dir;
    const QString path = dir.filePath("random.tokenscope");
    QString error;
    QVERIFY2(m_window->saveSession(path, &error), qPrintable(error));
    MainWindow other;
    QStringList problems;
    QVERIFY(other.openSession(path, &problems));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join("; ")));
    auto* restored = other.findChild<ToMePanel*>();
    QVERIFY(settled(restored));
    QTRY_COMPARE_WITH_TIMEOUT(restored->layerSlider()->value(), 6, 10000);
    QCOMPARE(restored->display()->coloursBox()->currentIndex(), 1);
    QCOMPARE(restored->view()->data().map, map);
    m_panel->display()->coloursBox()->setCurrentIndex(0);
    QVERIFY(m_panel->view()->data().map != map);
}

void TestTomeFigureLayout::invalidInputMarksTheFigure()
{
    MergeView* view = m_panel->view();
    QVERIFY(view->staleText().isEmpty());
    const QImage before = view->data().map;
    m_panel->scheduleBox()->setCurrentIndex(2); // explicit list
    auto* list = m_panel->findChildren<QLineEdit*>().front();
    for (QLineEdit* e : m_panel->findChildren<QLineEdit*>())
        if (e->placeholderText().contains("16,16"))
            list = e;
    list->setText("8,x,4");
    Q_EMIT list->editingFinished();
    QTRY_VERIFY_WITH_TIMEOUT(!view->staleText().isEmpty(), 5000);
    QVERIFY2(view->staleText().startsWith("Not updated: ") && view->staleText().contains("list"), qPrintable(view->staleText()));
    QCOMPARE(view->data().map, before); // the old figure, marked
    QVERIFY(m_panel->attention()->shown()); // left shown by cleanAtEverySize: its figure is marked too
    QVERIFY(m_panel->attention()->view()->staleReason().contains("list"));
    const QImage grabbed = view->grab().toImage();
    const QRectF mark = view->staleRect();
    QVERIFY(view->rect().contains(mark.toRect()));
    const QColor amber = grabbed.pixelColor((mark.topLeft() + QPointF(3, mark.height() / 2)).toPoint() * grabbed.devicePixelRatio());
    QVERIFY2(amber.red() > 200 && amber.blue() < 170, qPrintable(amber.name()));
    QRectF bounds;
    TS_CHECK_FIGURE_LAYOUT(test::recordWidget(*view, &bounds), bounds, test::FigureCheckOptions{0.75, 11, true}); // the mark covers no text
    // A valid input runs again and the mark goes.
    list->setText("8,8,4");
    Q_EMIT list->editingFinished();
    QVERIFY(settled(m_panel));
    QTRY_VERIFY_WITH_TIMEOUT(view->staleText().isEmpty(), 60000);
    QVERIFY(attentionSettled(m_panel));
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->attention()->view()->staleReason().isEmpty(), 60000);
    m_panel->scheduleBox()->setCurrentIndex(0);
    QVERIFY(settled(m_panel));
}

void TestTomeFigureLayout::newImageClearsTheSelection()
{
    select(m_panel, 100);
    QCOMPARE(m_panel->selectedPatch(), 100);
    QVERIFY(m_window->openImage(test::sampleImage("coffee.png")));
    QCOMPARE(m_panel->selectedPatch(), -1);
    QVERIFY(settled(m_panel));
    QVERIFY(!m_panel->view()->data().hasLineage());
    QCOMPARE(m_panel->settings().selectedPatch, -1);
}

QTEST_MAIN(TestTomeFigureLayout)
#include "tst_tome_figure_layout.moc"
