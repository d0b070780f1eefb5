// The mask figure inside the real main window: for 1, 2 and 3 panels, at the default window
// (1400x820), the smallest supported one (1000x700) and exported at scale 2, every text box lies
// inside the figure and overlaps no other text, legend or raster (tests/common/figure_checks.h);
// compared panels show the same data tokens (FAM inserts its memory tokens); ticks are data-token
// indices with axis titles; the key kinds' colours differ in hue and lightness; exports carry no
// on-screen hint.
#include "core/masks/fam_mask.h"
#include "tests/common/figure_checks.h"
#include "tests/common/lab_window.h"
#include "ui/labs/masks/mask_panel.h"
#include "ui/labs/masks/mask_view.h"
#include "ui/shell/main_window.h"
#include "ui/shell/palette_colours.h"

#include <QApplication>
#include <QComboBox>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace ts;

namespace {

const char* const kSchemes[] = {"fam", "bswa", "fit"};

void choose(MaskPanel* panel, int panels)
{
    for (int i = 0; i < 3; ++i)
        panel->schemeBox(i)->setCurrentText(i < panels ? kSchemes[i] : "(none)");
}

// CIE L* and hue angle (degrees) of an sRGB colour.
std::pair<double, double> lightnessAndHue(const QColor& c)
{
    auto lin = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    const double r = lin(c.redF()), g = lin(c.greenF()), b = lin(c.blueF());
    const double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, y = 0.2126 * r + 0.7152 * g + 0.0722 * b,
                 z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116; };
    const double L = 116 * f(y) - 16, A = 500 * (f(x) - f(y)), B = 200 * (f(y) - f(z));
    return {L, std::fmod(std::atan2(B, A) * 180 / M_PI + 360, 360)};
}

} // namespace

class TestMaskFigure : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void nothingClippedOrOverlapping_data();
    void nothingClippedOrOverlapping();
    void panelsShowTheSameDataTokens();
    void ticksAndBlockLinesAreDataTokens();
    void keyKindColoursDiffer();
    void exportsCarryNoHint();
};

void TestMaskFigure::nothingClippedOrOverlapping_data()
{
    QTest::addColumn<int>("panels");
    QTest::addColumn<QSize>("window");
    QTest::addColumn<bool>("dark");
    for (int n = 1; n <= 3; ++n)
        for (const QSize size : {QSize(1400, 820), QSize(1000, 700)}) {
            QTest::newRow(qPrintable(QString("%1 panels %2x%3").arg(n).arg(size.width()).arg(size.height()))) << n << size << false;
            QTest::newRow(qPrintable(QString("%1 panels %2x%3 dark").arg(n).arg(size.width()).arg(size.height()))) << n << size << true;
        }
}

void TestMaskFigure::nothingClippedOrOverlapping()
{
    QFETCH(int, panels);
    QFETCH(QSize, window);
    QFETCH(bool, dark);
    QApplication::setPalette(fusionPalette(dark));
    MainWindow w;
    auto* panel = test::showLab<MaskPanel>(w, window);
    QVERIFY(panel);
    choose(panel, panels);
    panel->lengthBox()->setValue(4096);
    panel->sizeBox("block")->setValue(64);
    panel->sizeBox("group")->setValue(64);
    panel->sizeBox("latents")->setValue(4);
    QCOMPARE(int(panel->view()->figureData().panels.size()), panels);
    // On screen.
    QRectF bounds;
    const FigureRecord screen = test::recordWidget(*panel->view(), &bounds);
    TS_CHECK_FIGURE_LAYOUT(screen, bounds);
    int titles = 0;
    for (const PlacedItem& t : screen.items)
        titles += t.role == TextRole::PanelTitle;
    QCOMPARE(titles, panels);
    QCOMPARE(int(screen.ofKind(PlacedKind::Legend).size()), 1);
    // The rasters take most of the view (the figure fills it).
    const QRectF raster = screen.ofKind(PlacedKind::Data).front().rect;
    QVERIFY2(raster.width() * panels > 0.45 * bounds.width() || raster.height() > 0.45 * bounds.height(),
             qPrintable(QString("raster %1 x %2 in %3 x %4").arg(raster.width()).arg(raster.height()).arg(bounds.width()).arg(bounds.height())));
    // Exported at scale 2: the same checks at twice the pixels.
    const FigureRecord exported = test::recordFigure(*panel->currentFigure(), 2.0, &bounds);
    TS_CHECK_FIGURE_LAYOUT(exported, bounds, test::FigureCheckOptions{1.5, 22, true});
    QApplication::setPalette(fusionPalette(false));
}

void TestMaskFigure::panelsShowTheSameDataTokens()
{
    MaskPanel panel;
    panel.schemeBox(0)->setCurrentText("bswa");
    panel.schemeBox(1)->setCurrentText("fam");
    panel.resize(1200, 760);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    MaskView* view = panel.view();
    // Length 16, block 2, FAM 1: FAM has 16 + 9 positions, and the whole of each is shown.
    QCOMPARE(view->figureData().panels[1].region.q1, 25);
    // Zoomed to data tokens 4..7 of BSWA: FAM shows the positions of the same data tokens.
    view->setRegion(MaskRegion{4, 8, 4, 8});
    const MaskRegion fam = view->figureData().panels[1].region;
    FamLayout layout;
    layout.length = 16, layout.block = 2, layout.memory = 1, layout.fam = 1;
    QCOMPARE(fam.q0, layout.positionOfToken(4));
    QCOMPARE(fam.q1, layout.positionOfToken(7) + 1);
    QCOMPARE(fam.k0, layout.positionOfToken(4));
    QVERIFY(view->figureData().caption.contains("aligned by data token"));
    // Hovering FAM's panel names the data token; the BSWA panel at the same place the same token.
    const MaskFigureLayout l = maskFigureLayout(QRectF(view->rect()), view->figureData());
    const QPointF inFam = l.panels[1].topLeft() + QPointF(2, 2), inBswa = l.panels[0].topLeft() + QPointF(2, 2);
    QVERIFY2(view->readoutAt(inFam).contains("(data token 4)"), qPrintable(view->readoutAt(inFam)));
    QVERIFY2(view->readoutAt(inBswa).contains("query 4"), qPrintable(view->readoutAt(inBswa)));
    // Both panels' ticks are the same data tokens.
    QStringList famTicks, bswaTicks;
    for (const MaskTick& t : view->figureData().panels[1].keyTicks)
        famTicks << t.label;
    for (const MaskTick& t : view->figureData().panels[0].keyTicks)
        bswaTicks << t.label;
    QCOMPARE(famTicks, bswaTicks);
}

void TestMaskFigure::ticksAndBlockLinesAreDataTokens()
{
    MaskPanel panel;
    panel.schemeBox(0)->setCurrentText("fam");
    panel.schemeBox(1)->setCurrentIndex(0);
    panel.lengthBox()->setValue(64);
    panel.sizeBox("block")->setValue(8);
    panel.resize(1000, 760);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    const MaskPanelData& d = panel.view()->figureData().panels.front();
    QCOMPARE(d.keyTitle, QString("key token"));
    QCOMPARE(d.queryTitle, QString("query token"));
    QVERIFY(d.keyTicks.size() >= 3);
    QCOMPARE(d.keyTicks.front().label, QString("0"));
    // Ticks sit at their data token's position: token t of FAM (f = 1) is at t + t / 8 + 1.
    for (const MaskTick& t : d.keyTicks) {
        const int token = t.label.toInt();
        const double position = token + token / 8 + 1 + 0.5;
        QVERIFY2(std::abs(t.at - position / 73.0) < 1e-9, qPrintable(t.label));
    }
    // 8 blocks: 7 boundaries inside on each axis.
    QCOMPARE(int(d.keyLines.size()), 7);
    QCOMPARE(int(d.queryLines.size()), 7);
}

void TestMaskFigure::keyKindColoursDiffer()
{
    // The kinds are told apart by hue and by lightness (so also in grey), on light and dark
    // backgrounds alike: the rasters' masked pixels are white in both palettes, and every kind
    // stands out from white.
    for (int a = 0; a < kKeyKindCount; ++a) {
        const auto [la, ha] = lightnessAndHue(keyKindColour(static_cast<KeyKind>(a)));
        QVERIFY2(100 - la > 15, qPrintable(QString("kind %1 too close to white").arg(a)));
        for (int b = a + 1; b < kKeyKindCount; ++b) {
            const auto [lb, hb] = lightnessAndHue(keyKindColour(static_cast<KeyKind>(b)));
            const double dh = std::abs(std::fmod(ha - hb + 540, 360) - 180);
            QVERIFY2(std::abs(la - lb) >= 7.5 && dh >= 20,
                     qPrintable(QString("kinds %1 and %2: L* %3 vs %4, hue %5 apart").arg(a).arg(b).arg(la).arg(lb).arg(dh)));
        }
    }
}

void TestMaskFigure::exportsCarryNoHint()
{
    MainWindow w;
    auto* panel = test::showLab<MaskPanel>(w, QSize(1400, 820));
    QVERIFY(panel);
    QVERIFY(panel->hoverText().contains("wheel: zoom")); // the hint is on screen
    QTemporaryDir dir;
    const QString svg = dir.filePath("mask.svg");
    exportFigure(*panel->currentFigure(), svg);
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.contains(panel->view()->figureData().panels.front().title.toHtmlEscaped().left(10))); // text is written as text
    QVERIFY(!text.contains("wheel"));
    QVERIFY(!text.contains("drag"));
    QVERIFY(!text.contains("Hover"));
}

QTEST_MAIN(TestMaskFigure)
#include "tst_mask_figure.moc"
