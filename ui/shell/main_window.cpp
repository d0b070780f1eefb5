#include "ui/shell/main_window.h"

#include "core/io/input_file.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "ui/shell/export_all.h"
#include "ui/figures/figure_export.h"
#include "ui/labs/eval/evaluate_folder_dialog.h"
#include "ui/labs/compare/compare_panel.h"
#include "ui/labs/fam/fam_panel.h"
#include "ui/widgets/lab_panel.h"
#include "ui/widgets/model_controls.h"
#include "ui/shell/session.h"
#include "ui/labs/tome/tome_panel.h"
#include "ui/labs/fit/fit_panel.h"
#include "ui/labs/masks/mask_panel.h"
#include "ui/labs/flops/flop_panel.h"
#include "ui/shell/workspace.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

namespace ts {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("TokenScope"));
    setAcceptDrops(true);
    m_workspace = new Workspace(this);

    m_modelControls = new ModelControls(m_workspace, this);
    auto* dock = new QDockWidget(tr("Image and model"), this);
    dock->setObjectName("ImageAndModelDock");
    auto* scroll = new QScrollArea(dock);
    scroll->setWidget(m_modelControls);
    scroll->setWidgetResizable(true);
    dock->setWidget(scroll);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    connect(m_modelControls, &ModelControls::openImageRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Image"), {},
                                                          tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.gif);;All files (*)"));
        if (!path.isEmpty())
            openImage(path);
    });

    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);
    addPanels();
    createMenus();

    QString error;
    if (m_workspace->openDefaultImage(&error))
        statusBar()->showMessage(tr("%1 · %2").arg(QFileInfo(m_workspace->imagePath()).fileName(), m_workspace->modelLabel()));
    else
        statusBar()->showMessage(tr("Could not open the bundled sample: %1").arg(error));
    connect(m_workspace, &Workspace::modelSourceChanged, this,
            [this] { statusBar()->showMessage(m_workspace->modelLabel()); });

    QSettings settings;
    if (!restoreGeometry(settings.value("window/geometry").toByteArray()))
        resize(1400, 820);
    restoreState(settings.value("window/state").toByteArray());
    m_tabs->setCurrentIndex(settings.value("window/tab", 0).toInt());
}

MainWindow::~MainWindow() = default;

void MainWindow::addPanels()
{
    m_tabs->addTab(new ToMePanel(m_workspace, m_tabs), tr("ToMe"));
    m_tabs->addTab(new FitPanel(m_workspace, m_tabs), tr("FIT"));
    m_tabs->addTab(new FamPanel(m_workspace, m_tabs), tr("FAM"));
    m_tabs->addTab(new MaskPanel(m_workspace, m_tabs), tr("Masks"));
    m_tabs->addTab(new FlopPanel(m_workspace, m_tabs), tr("FLOPs"));
    m_tabs->addTab(new ComparePanel(m_workspace, m_tabs), tr("Compare"));
}

QAction* MainWindow::addMenuAction(QMenu* menu, const QString& text, const QKeySequence& shortcut,
                                   void (MainWindow::*handler)())
{
    QAction* action = menu->addAction(text);
    action->setShortcut(shortcut);
    connect(action, &QAction::triggered, this, handler);
    return action;
}

LabPanel* MainWindow::currentPanel() const
{
    return qobject_cast<LabPanel*>(m_tabs->currentWidget());
}

QList<ExportLab> MainWindow::labsForExport() const
{
    QList<ExportLab> labs;
    for (int i = 0; i < m_tabs->count(); ++i)
        labs.append({m_tabs->tabText(i).remove('&'), qobject_cast<LabPanel*>(m_tabs->widget(i))});
    return labs;
}

void MainWindow::createMenus()
{
    createFileMenu();
    createRunMenu();
    createViewMenu();
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    addMenuAction(help, tr("&About TokenScope"), {}, &MainWindow::showAbout);
}

void MainWindow::createFileMenu()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Image…"));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, m_modelControls, &ModelControls::openImageRequested);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    updateRecentFiles();
    addMenuAction(file, tr("Load &Checkpoint…"), QKeySequence(tr("Ctrl+Shift+O")), &MainWindow::loadCheckpointDialog);
    file->addSeparator();
    addMenuAction(file, tr("Open &Session…"), QKeySequence(tr("Ctrl+Alt+O")), &MainWindow::openSessionDialog);
    addMenuAction(file, tr("Save Session &As…"), QKeySequence::Save, &MainWindow::saveSessionDialog);
    file->addSeparator();
    addMenuAction(file, tr("&Export Figure…"), QKeySequence(tr("Ctrl+E")), &MainWindow::exportFigureDialog);
    addMenuAction(file, tr("Export &Data…"), QKeySequence(tr("Ctrl+Shift+E")), &MainWindow::exportDataDialog);
    addMenuAction(file, tr("Export &All…"), QKeySequence(tr("Ctrl+Alt+E")), &MainWindow::exportAllDialog);
    addMenuAction(file, tr("&Copy Figure"), QKeySequence(tr("Ctrl+Shift+C")), &MainWindow::copyFigure);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createRunMenu()
{
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    auto onPanel = [this, run](const QString& text, const QKeySequence& shortcut, auto call) {
        QAction* action = run->addAction(text);
        action->setShortcut(shortcut);
        connect(action, &QAction::triggered, this, [this, call] {
            if (LabPanel* p = currentPanel())
                call(p);
        });
    };
    onPanel(tr("&Run"), QKeySequence(tr("Ctrl+R")), [](LabPanel* p) { p->runNow(); });
    onPanel(tr("&Cancel"), QKeySequence(tr("Ctrl+.")), [](LabPanel* p) { p->cancelRun(); });
    run->addSeparator();
    onPanel(tr("&Previous Layer"), QKeySequence(Qt::Key_BracketLeft), [](LabPanel* p) { p->stepLayer(-1); });
    onPanel(tr("&Next Layer"), QKeySequence(Qt::Key_BracketRight), [](LabPanel* p) { p->stepLayer(+1); });
    run->addSeparator();
    addMenuAction(run, tr("Evaluate &Folder…"), QKeySequence(tr("Ctrl+Shift+F")), &MainWindow::evaluateFolder)
        ->setObjectName("EvaluateFolderAction");
}

// View: every dock (shown or closed) and every lab tab, with their shortcuts, so a closed panel
// comes back from the menu bar.
void MainWindow::createViewMenu()
{
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->setObjectName("ViewMenu");
    for (QDockWidget* dock : findChildren<QDockWidget*>()) {
        QAction* toggle = dock->toggleViewAction();
        toggle->setShortcut(QKeySequence(tr("Ctrl+Shift+M")));
        toggle->setToolTip(tr("Show or hide the %1 panel").arg(dock->windowTitle()));
        view->addAction(toggle);
    }
    view->addSeparator();
    for (int i = 0; i < m_tabs->count(); ++i) {
        QAction* tab = view->addAction(tr("%1 Lab").arg(m_tabs->tabText(i)));
        tab->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(tab, &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
    }
}

void MainWindow::loadCheckpointDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load Checkpoint"), {}, tr("safetensors (*.safetensors);;All files (*)"));
    if (!path.isEmpty())
        m_modelControls->loadCheckpoint(path);
}

void MainWindow::openSessionDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Session"), {}, tr("TokenScope sessions (*.tokenscope);;All files (*)"));
    if (!path.isEmpty())
        openSession(path);
}

void MainWindow::saveSessionDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Session"), QStringLiteral("session.tokenscope"),
                                                      tr("TokenScope sessions (*.tokenscope)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveSession(path, &error))
        QMessageBox::warning(this, tr("Save Session"), error);
}

void MainWindow::showAbout()
{
    QFile notice(":/NOTICE.md");
    notice.open(QIODevice::ReadOnly);
    QMessageBox box(this);
    box.setWindowTitle(tr("About TokenScope"));
    box.setTextFormat(Qt::MarkdownText);
    box.setText(tr("# TokenScope %1\nA desktop lab for efficient vision transformers: ToMe, FIT and TransformerFAM.\n\n"
                   "The default model is a seeded random initialisation, not a trained network.\n\n%2")
                    .arg(QApplication::applicationVersion(), QString::fromUtf8(notice.readAll())));
    box.exec();
}

bool MainWindow::openImage(const QString& path)
{
    QString error;
    if (!m_workspace->openImage(path, &error)) {
        QMessageBox::warning(this, tr("Open Image"), error);
        return false;
    }
    addRecentFile(path);
    statusBar()->showMessage(tr("Opened %1").arg(path), 5000);
    return true;
}

Session MainWindow::currentSession() const
{
    Session s;
    s.imagePath = m_workspace->imagePath();
    s.model = m_workspace->modelSource();
    s.normalisation = m_workspace->normalisation();
    s.currentTab = m_tabs->tabText(m_tabs->currentIndex());
    for (int i = 0; i < m_tabs->count(); ++i)
        if (auto* panel = qobject_cast<LabPanel*>(m_tabs->widget(i)))
            s.panels[m_tabs->tabText(i)] = panel->saveState();
    if (m_evaluateDialog)
        s.evaluation = m_evaluateDialog->saveState();
    return s;
}

bool MainWindow::saveSession(const QString& path, QString* error)
{
    try {
        writeFileAtomically(path, sessionToJson(currentSession()));
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    addRecentFile(path);
    statusBar()->showMessage(tr("Saved session %1").arg(path), 5000);
    return true;
}

bool MainWindow::openSession(const QString& path, QStringList* problemsOut)
{
    Session s;
    QStringList problems;
    try {
        // Only a regular file, and no larger than a session can be (a named pipe would block the
        // window forever, a folder or a device read as garbage).
        const InputFile file(QFile::encodeName(path).toStdString(), "session " + quotedForMessage(path.toStdString()));
        s = sessionFromJson(QByteArray::fromStdString(file.readAll(64u << 20)), path);
    } catch (const std::exception& e) {
        if (problemsOut)
            *problemsOut = QStringList{QString::fromStdString(e.what())};
        else
            QMessageBox::warning(this, tr("Open Session"), QString::fromStdString(e.what()));
        return false;
    }
    const bool imageThere = s.imagePath.startsWith(":/") ? QFile::exists(s.imagePath) : QFileInfo::exists(s.imagePath);
    QString imageError;
    if (!imageThere)
        problems << tr("The image %1 has moved or is gone; the current image is kept.").arg(s.imagePath);
    else if (!m_workspace->openImage(s.imagePath, &imageError))
        problems << imageError;
    if (!s.model.checkpoint.empty() && !QFileInfo::exists(QString::fromStdString(s.model.checkpoint))) {
        problems << tr("The checkpoint %1 has moved or is gone; using random weights (seed %2) instead.")
                        .arg(QString::fromStdString(s.model.checkpoint))
                        .arg(s.model.seed);
        s.model.checkpoint.clear();
    }
    m_workspace->setNormalisation(s.normalisation);
    m_workspace->setModelSource(s.model);
    bool tabFound = s.currentTab.isEmpty();
    for (int i = 0; i < m_tabs->count(); ++i) {
        auto* panel = qobject_cast<LabPanel*>(m_tabs->widget(i));
        const QString title = m_tabs->tabText(i);
        if (!panel)
            continue;
        if (s.panels.value(title).isObject() && !s.panels.value(title).toObject().isEmpty())
            problems << panel->restoreState(s.panels.value(title).toObject());
        else if (!panel->saveState().isEmpty())
            problems << tr("%1: the session holds no settings for this lab (saved by an older version); its current settings are kept.").arg(title);
        if (title == s.currentTab) {
            m_tabs->setCurrentIndex(i);
            tabFound = true;
        }
    }
    if (!s.evaluation.isEmpty())
        problems << evaluateFolderDialog()->restoreState(s.evaluation);
    if (!tabFound)
        problems << tr("The tab '%1' does not exist here; the current tab is kept.").arg(s.currentTab);
    addRecentFile(path);
    if (problemsOut)
        *problemsOut = problems;
    else if (!problems.isEmpty())
        QMessageBox::information(this, tr("Open Session"), tr("The session was restored except:\n\n%1").arg(problems.join("\n")));
    statusBar()->showMessage(tr("Opened session %1").arg(path), 5000);
    return true;
}

void MainWindow::addRecentFile(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value("recentImages").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > 10)
        recent.removeLast();
    settings.setValue("recentImages", recent);
    updateRecentFiles();
}

void MainWindow::updateRecentFiles()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = QSettings().value("recentImages").toStringList();
    for (const QString& path : recent) {
        QAction* action = m_recentMenu->addAction(QFileInfo(path).fileName());
        action->setToolTip(path);
        connect(action, &QAction::triggered, this, [this, path] {
            if (path.endsWith(".tokenscope"))
                openSession(path);
            else
                openImage(path);
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        if (path.endsWith(".safetensors", Qt::CaseInsensitive))
            m_modelControls->loadCheckpoint(path);
        else if (path.endsWith(".tokenscope", Qt::CaseInsensitive))
            openSession(path);
        else if (!path.isEmpty())
            openImage(path);
    }
    event->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    settings.setValue("window/tab", m_tabs->currentIndex());
    QMainWindow::closeEvent(event);
}

} // namespace ts
