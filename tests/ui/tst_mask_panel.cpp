// The mask lab offscreen: changing the scheme or a size changes what is drawn; hovering reads
// the query, key and kind; wheel zoom narrows the region; bad sizes show a message and keep the
// last picture; FAM's receptive field is reported unbounded; the ToMe effective mask runs ToMe on
// the workspace image off the GUI thread; the hover line follows a scheme change; check-box
// labels are never cut.
#include "tests/common/lab_window.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/masks/mask_panel.h"
#include "ui/labs/masks/mask_view.h"
#include "ui/shell/main_window.h"

#include <QCheckBox>

#include <QComboBox>
#include <QSpinBox>
#include <QtTest>

using namespace ts;

class TestMaskPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schemeChangeChangesTheView();
    void hoverReadsQueryKeyAndKind();
    void wheelZooms();
    void badSizesShowAMessage();
    void tomeMaskFromTheWorkspaceImage();
    void hoverFollowsTheScheme();
    void checkBoxLabelsAreNotCut();
};

namespace {

QImage snapshot(QWidget* w) { return w->grab().toImage(); }

} // namespace

void TestMaskPanel::schemeChangeChangesTheView()
{
    MaskPanel panel;
    panel.resize(1100, 760);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(panel.currentFigure().has_value());
    QVERIFY(panel.receptiveFieldText().contains("unbounded")); // FAM first
    const QImage fam = snapshot(panel.view());
    panel.schemeBox(0)->setCurrentText("causal");
    const QImage causal = snapshot(panel.view());
    QVERIFY(fam != causal);
    QCOMPARE(panel.view()->figureData().panels.front().title, QString("causal"));
    QVERIFY(!panel.receptiveFieldText().contains("unbounded"));
    // A third scheme adds a panel.
    panel.schemeBox(2)->setCurrentText("swa");
    QCOMPARE(panel.view()->figureData().panels.size(), std::size_t(3));
}

void TestMaskPanel::hoverReadsQueryKeyAndKind()
{
    MaskPanel panel;
    panel.schemeBox(0)->setCurrentText("bswa");
    panel.schemeBox(1)->setCurrentIndex(0); // none
    panel.resize(1000, 760);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    MaskView* view = panel.view();
    // Length 16, block 2, memory 1: the panel's top-left pixel is query 0, key 0 (its own block).
    const QRectF box = maskFigureLayout(QRectF(view->rect()), view->figureData()).panels.front();
    const QString topLeft = view->readoutAt(box.topLeft() + QPointF(2, 2));
    QVERIFY2(topLeft.contains("query 0") && topLeft.contains("key 0") && topLeft.contains("current block"),
             qPrintable(topLeft));
    const QString topRight = view->readoutAt(box.topRight() + QPointF(-2, 2));
    QVERIFY2(topRight.contains("masked"), qPrintable(topRight));
    QVERIFY(view->readoutAt(QPointF(1, 1)).isEmpty());
}

void TestMaskPanel::wheelZooms()
{
    MaskPanel panel;
    panel.lengthBox()->setValue(1000);
    panel.resize(1000, 760);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    MaskView* view = panel.view();
    const std::int64_t before = view->region().height();
    const QRectF box = maskFigureLayout(QRectF(view->rect()), view->figureData()).panels.front();
    QWheelEvent wheel(box.center(), view->mapToGlobal(box.center()), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(view, &wheel);
    QVERIFY(view->region().height() < before);
    view->resetZoom();
    QCOMPARE(view->region().height(), before);
}

void TestMaskPanel::badSizesShowAMessage()
{
    MaskPanel panel;
    const QString title = panel.view()->figureData().panels.front().title;
    panel.lengthBox()->setValue(1); // block 2 > 1 token
    QVERIFY(panel.errorText().contains("larger than the sequence"));
    QCOMPARE(panel.view()->figureData().panels.front().title, title);
}

void TestMaskPanel::tomeMaskFromTheWorkspaceImage()
{
    MainWindow w;
    auto* panel = test::showLab<MaskPanel>(w, QSize(1400, 820));
    QVERIFY(panel);
    QVERIFY(panel->schemeBox(0)->findText("tome") >= 0);
    panel->schemeBox(1)->setCurrentIndex(0);
    panel->schemeBox(0)->setCurrentText("tome");
    // ToMe runs on the model thread: the GUI thread returns at once and the picture follows.
    QVERIFY(panel->runner()->isRunning() || panel->view()->figureData().panels.front().title.startsWith("ToMe"));
    QTRY_VERIFY_WITH_TIMEOUT(panel->view()->figureData().panels.front().title.startsWith("ToMe"), 60000);
    QVERIFY2(panel->errorText().isEmpty(), qPrintable(panel->errorText()));
    // ViT-S/16 at 224 px: 196 patches and the class token; r = 8 over 12 blocks leaves 101 tokens.
    QCOMPARE(panel->view()->figureData().panels.front().queries, 197);
    QVERIFY(panel->view()->figureData().panels.front().costText.contains("computes 10,201 token pairs"));
    const QString command = panel->currentFigure()->command;
    QVERIFY2(command.contains("--kind tome") && command.contains("--image") && command.contains("--r 8"), qPrintable(command));
    // A new r runs again.
    panel->sizeBox("tome-r")->setValue(4);
    QTRY_VERIFY_WITH_TIMEOUT(panel->view()->figureData().panels.front().costText.contains("computes 22,201 token pairs"), 60000);
}

void TestMaskPanel::hoverFollowsTheScheme()
{
    MaskPanel panel;
    panel.schemeBox(0)->setCurrentText("bswa");
    panel.schemeBox(1)->setCurrentIndex(0);
    panel.resize(1000, 760);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(panel.hoverText().contains("wheel: zoom"));
    MaskView* view = panel.view();
    const QRectF box = maskFigureLayout(QRectF(view->rect()), view->figureData()).panels.front();
    QTest::mouseMove(view, (box.topLeft() + QPointF(3, 3)).toPoint());
    QTRY_VERIFY2(panel.hoverText().startsWith("bswa"), qPrintable(panel.hoverText()));
    panel.schemeBox(0)->setCurrentText("causal");
    QVERIFY2(panel.hoverText().startsWith("causal"), qPrintable(panel.hoverText()));
}

void TestMaskPanel::checkBoxLabelsAreNotCut()
{
    MainWindow w;
    auto* panel = test::showLab<MaskPanel>(w, QSize(1000, 700)); // the smallest supported window
    QVERIFY(panel);
    for (QCheckBox* box : {panel->causalBox(), panel->arBox()})
        QVERIFY2(box->width() >= box->sizeHint().width(), qPrintable(QString("%1: %2 < %3").arg(box->text()).arg(box->width()).arg(box->sizeHint().width())));
}

QTEST_MAIN(TestMaskPanel)
#include "tst_mask_panel.moc"
