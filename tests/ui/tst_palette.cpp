// The window follows a dark or light palette: the area around and behind every figure and the
// text of every label come from the palette (error text stays readable on both), while exported
// figures stay black on white whatever the palette.
#include "ui/widgets/figure_view.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_export.h"
#include "ui/labs/fit/fit_view.h"
#include "ui/jobs/job_runner.h"
#include "ui/shell/main_window.h"
#include "ui/labs/masks/mask_view.h"
#include "ui/labs/tome/merge_view.h"
#include "ui/shell/palette_colours.h"
#include "ui/labs/tome/tome_panel.h"

#include <QApplication>
#include <QCheckBox>
#include <QListWidget>
#include <QLabel>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionButton>
#include <QTabWidget>
#include <QtTest>

using namespace ts;

namespace {

// Median lightness of a 3-pixel strip along the widget's edges: the chrome around the figure.
int borderLightness(const QImage& image)
{
    std::vector<int> values;
    for (int x = 0; x < image.width(); ++x)
        for (int d = 0; d < 3; ++d) {
            values.push_back(QColor(image.pixel(x, d)).lightness());
            values.push_back(QColor(image.pixel(x, image.height() - 1 - d)).lightness());
        }
    for (int y = 0; y < image.height(); ++y)
        for (int d = 0; d < 3; ++d) {
            values.push_back(QColor(image.pixel(d, y)).lightness());
            values.push_back(QColor(image.pixel(image.width() - 1 - d, y)).lightness());
        }
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    return values[values.size() / 2];
}

double whiteFraction(const QImage& image)
{
    qint64 white = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            white += QColor(image.pixel(x, y)).lightness() > 235;
    return double(white) / (double(image.width()) * image.height());
}

// Every figure view on the shown tab.
QList<QWidget*> figureViews(QWidget* tab)
{
    QList<QWidget*> views;
    for (QWidget* w : tab->findChildren<QWidget*>())
        if (w->isVisible()
            && (qobject_cast<MergeView*>(w) || qobject_cast<FitView*>(w) || qobject_cast<MaskView*>(w) || qobject_cast<FigureView*>(w)))
            views << w;
    return views;
}

} // namespace

class TestPalette : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void figureInkFollowsTheBackground();
    void darkChromeAroundEveryFigure();
    void labelsContrastWithTheWindow();
    void exportsStayBlackOnWhite();
    void switchingToLightAtRunTime();
    void uncheckedBoxesShowInTheDark();
    void cleanupTestCase() { delete m_window; }

private:
    MainWindow* m_window = nullptr;
    ToMePanel* m_tome = nullptr;
};

void TestPalette::initTestCase()
{
    QCoreApplication::setOrganizationName("TokenScopeTests");
    QApplication::setStyle(fusionStyleWithVisibleIndicators()); // as TOKENSCOPE_PALETTE does
    QApplication::setPalette(fusionPalette(true));
    m_window = new MainWindow;
    m_window->resize(1300, 800);
    m_window->show();
    m_tome = m_window->findChild<ToMePanel*>();
    QVERIFY(m_tome);
    QVERIFY(QTest::qWaitFor([&] { return m_tome->result() && m_tome->view()->hasData() && !m_tome->runner()->isRunning(); }, 60000));
}

void TestPalette::figureInkFollowsTheBackground()
{
    QImage image(4, 4, QImage::Format_RGB32);
    QPainter p(&image);
    QCOMPARE(figureInk(p), QColor(Qt::black)); // a fresh painter's background is white, as in exports
    p.setBackground(QColor(30, 30, 32));
    QVERIFY(figureOnDark(p));
    QVERIFY(contrastRatio(figureInk(p), QColor(30, 30, 32)) > 7);
    QVERIFY(contrastRatio(figureSubtleInk(p), QColor(30, 30, 32)) > 4.5);
    QVERIFY(figurePanelFill(p, 235).lightness() < 80);
}

void TestPalette::darkChromeAroundEveryFigure()
{
    int viewsChecked = 0;
    for (int i = 0; i < m_window->tabs()->count(); ++i) {
        m_window->tabs()->setCurrentIndex(i);
        QTest::qWait(50);
        const QString tab = m_window->tabs()->tabText(i);
        for (QWidget* view : figureViews(m_window->tabs()->widget(i))) {
            const QImage grabbed = view->grab().toImage();
            const int edge = borderLightness(grabbed);
            QVERIFY2(edge < 80, qPrintable(QString("%1/%2: edge lightness %3").arg(tab, view->metaObject()->className()).arg(edge)));
            // Figure content may be light (a photograph, a mask's empty cells are white by
            // definition), but a view painted white all over (as before palettes) is > 70 % white.
            const double white = whiteFraction(grabbed);
            qInfo("%s/%s: edge lightness %d, %.1f%% white", qPrintable(tab), view->metaObject()->className(), edge, 100 * white);
            QVERIFY2(white < 0.4, qPrintable(QString("%1/%2: %3% white").arg(tab, view->metaObject()->className()).arg(100 * white)));
            ++viewsChecked;
        }
        // The tab page as a whole is not a white sheet either.
        const double white = whiteFraction(m_window->tabs()->widget(i)->grab().toImage());
        qInfo("%s tab: %.1f%% white", qPrintable(tab), 100 * white);
        QVERIFY2(white < 0.35, qPrintable(QString("%1: %2% white").arg(tab).arg(100 * white)));
    }
    QVERIFY(viewsChecked >= 4); // merge map, FIT, FAM, mask and receptive-field views
}

void TestPalette::labelsContrastWithTheWindow()
{
    const QColor window = QApplication::palette().color(QPalette::Window);
    QVERIFY(window.lightness() < 80);
    int errorLabels = 0;
    for (QLabel* label : m_window->findChildren<QLabel*>()) {
        const QColor text = label->palette().color(label->foregroundRole());
        const double ratio = contrastRatio(text, label->palette().color(QPalette::Window));
        QVERIFY2(ratio >= 4.5, qPrintable(QString("label '%1': contrast %2").arg(label->text().left(40)).arg(ratio)));
        errorLabels += text == errorTextColour(QApplication::palette());
    }
    QVERIFY(errorLabels >= 2); // the mask and FLOP labs' error lines
    QVERIFY(contrastRatio(errorTextColour(QApplication::palette()), window) >= 4.5);
}

void TestPalette::exportsStayBlackOnWhite()
{
    const QImage exported = renderFigure(*m_tome->currentFigure());
    QCOMPARE(QColor(exported.pixel(0, 0)), QColor(Qt::white));
    QApplication::setPalette(fusionPalette(false));
    const QImage light = renderFigure(*m_tome->currentFigure());
    QApplication::setPalette(fusionPalette(true));
    QVERIFY(exported == light); // the palette never reaches an export
}

void TestPalette::switchingToLightAtRunTime()
{
    QApplication::setPalette(fusionPalette(false));
    QTest::qWait(50);
    m_window->tabs()->setCurrentIndex(0);
    QTest::qWait(50);
    const QImage grabbed = m_tome->view()->grab().toImage();
    QVERIFY(borderLightness(grabbed) > 200);
    const QColor window = QApplication::palette().color(QPalette::Window);
    int errorLabels = 0;
    for (QLabel* label : m_window->findChildren<QLabel*>()) {
        const QColor text = label->palette().color(label->foregroundRole());
        QVERIFY2(contrastRatio(text, label->palette().color(QPalette::Window)) >= 4.5,
                 qPrintable(QString("label '%1' (%2): text %3 on %4").arg(label->text().left(40), label->parent()->metaObject()->className(), text.name(), label->palette().color(QPalette::Window).name())));
        errorLabels += text == errorTextColour(QApplication::palette());
    }
    QVERIFY(errorLabels >= 2);
    QVERIFY(contrastRatio(errorTextColour(QApplication::palette()), window) >= 4.5);
    QApplication::setPalette(fusionPalette(true));
}

// An unchecked check box, alone and as a checkable list item (the FLOP lab's model list), has a
// frame that stands out from what is around it: at least WCAG's 3:1 for user-interface parts.
void TestPalette::uncheckedBoxesShowInTheDark()
{
    QApplication::setPalette(fusionPalette(true));
    auto bestContrast = [](const QImage& image, const QRect& area, const QColor& around) {
        double best = 1;
        const qreal dpr = image.devicePixelRatio();
        for (int y = area.top(); y <= area.bottom(); ++y)
            for (int x = area.left(); x <= area.right(); ++x)
                best = std::max(best, contrastRatio(image.pixelColor(int(x * dpr), int(y * dpr)), around));
        return best;
    };
    QCheckBox box("unchecked");
    box.resize(box.sizeHint());
    box.show();
    QVERIFY(QTest::qWaitForWindowExposed(&box));
    QStyleOptionButton option;
    option.initFrom(&box);
    const QRect indicator = box.style()->subElementRect(QStyle::SE_CheckBoxIndicator, &option, &box);
    const double boxContrast = bestContrast(box.grab().toImage(), indicator, box.palette().color(QPalette::Window));
    QVERIFY2(boxContrast >= 3, qPrintable(QString("check box frame contrast %1").arg(boxContrast)));

    QListWidget list;
    auto* item = new QListWidgetItem("a model", &list);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Unchecked);
    list.resize(200, 80);
    list.show();
    QVERIFY(QTest::qWaitForWindowExposed(&list));
    const QRect row = list.visualItemRect(item);
    const int side = list.style()->pixelMetric(QStyle::PM_IndicatorWidth);
    const QRect check(row.left(), row.top(), side + 4, row.height()); // left of the text
    const QImage shot = list.viewport()->grab().toImage();
    const double itemContrast = bestContrast(shot, check, list.palette().color(QPalette::Base));
    QVERIFY2(itemContrast >= 3, qPrintable(QString("list item check frame contrast %1").arg(itemContrast)));
}

QTEST_MAIN(TestPalette)
#include "tst_palette.moc"
