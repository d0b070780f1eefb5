#include "ui/labs/eval/evaluate_folder_dialog.h"

#include "core/reduction/evaluation_json.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "ui/figures/eval_figure.h"
#include "ui/figures/output_files.h"
#include "ui/jobs/job_runner.h"
#include "ui/shell/workspace.h"
#include "ui/widgets/figure_view.h"
#include "ui/widgets/run_status.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ts {
namespace {

constexpr ReductionMethod kMethods[] = {ReductionMethod::ToMe, ReductionMethod::PiToMe, ReductionMethod::Atc, ReductionMethod::EVit};

// "0, 4, 8" or "3, 2.5": positive numbers (integers for r).
std::vector<double> valuesOf(const QString& text, bool integers)
{
    std::vector<double> out;
    for (const QString& item : text.split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = integers ? item.trimmed().toInt(&ok) : item.trimmed().toDouble(&ok);
        if (!ok || v < 0 || (!integers && !(v > 0)))
            throw Error("'" + item.trimmed().toStdString() + "' is not " + (integers ? "an r (0 or more)" : "a positive GFLOPs number"));
        out.push_back(v);
    }
    if (out.empty())
        throw Error(integers ? "give r values, e.g. 0, 4, 8" : "give GFLOPs targets, e.g. 3, 2.5");
    return out;
}

QString listText(const EvalSettings& s)
{
    QStringList items;
    for (int r : s.r)
        items << QString::number(r);
    for (double g : s.gflops)
        items << QString::number(g, 'g', 6);
    return items.join(", ");
}

} // namespace

EvaluateFolderDialog::EvaluateFolderDialog(Workspace* workspace, QWidget* parent)
    : QDialog(parent), m_workspace(workspace), m_runner(new JobRunner(this))
{
    setWindowTitle(tr("Evaluate Folder"));
    setObjectName("EvaluateFolderDialog");
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildFields());
    layout->addWidget(buildButtons());
    auto* split = new QSplitter(Qt::Vertical, this);
    m_view = new FigureView(split);
    m_view->clear(tr("Choose a folder of images, the methods and their settings, then Run."));
    m_table = new QTableWidget(split);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    split->addWidget(m_view);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    resize(1100, 760);

    connect(m_runner, &JobRunner::finished, this, [this](const JobOutcome& outcome) {
        m_run->setEnabled(true);
        if (!outcome.error.isEmpty())
            return; // RunStatus shows it
        const auto& [result, settings] = std::any_cast<const std::pair<EvalResult, EvalSettings>&>(outcome.result);
        showResult(result, settings);
        m_status->setMessage(tr("%1 images, %2 skipped; %3 results computed, %4 resumed (%5 s)")
                                 .arg(result.images)
                                 .arg(result.skipped.size())
                                 .arg(result.computed)
                                 .arg(result.resumed)
                                 .arg(outcome.seconds, 0, 'f', 1));
    });
    connect(m_runner, &JobRunner::cancelled, this, [this] { m_run->setEnabled(true); });
}

QWidget* EvaluateFolderDialog::buildFields()
{
    auto* box = new QWidget(this);
    auto* form = new QFormLayout(box);
    auto browseRow = [this, form](QLineEdit*& edit, const QString& label, bool folder) {
        auto* row = new QHBoxLayout;
        edit = new QLineEdit(this);
        auto* browse = new QPushButton(tr("Browse…"), this);
        row->addWidget(edit, 1);
        row->addWidget(browse);
        form->addRow(label, row);
        connect(browse, &QPushButton::clicked, this, [this, edit, folder] {
            const QString path = folder ? QFileDialog::getExistingDirectory(this, tr("Image Folder"), edit->text())
                                        : QFileDialog::getOpenFileName(this, tr("Labels"), {}, tr("CSV (*.csv);;All files (*)"));
            if (!path.isEmpty())
                edit->setText(path);
        });
    };
    browseRow(m_folder, tr("Image folder"), true);
    browseRow(m_labels, tr("Labels (optional CSV)"), false);
    m_labels->setPlaceholderText(tr("file,label lines; empty: class folders when the images lie in them"));
    auto* methods = new QHBoxLayout;
    for (ReductionMethod m : kMethods) {
        auto* check = new QCheckBox(QString::fromUtf8(reductionMethodTitle(m)), this);
        check->setChecked(m == ReductionMethod::ToMe);
        m_methods[static_cast<std::size_t>(m)] = check;
        methods->addWidget(check);
    }
    methods->addStretch(1);
    form->addRow(tr("Methods"), methods);
    auto* values = new QHBoxLayout;
    m_kind = new QComboBox(this);
    m_kind->addItems({tr("r per block"), tr("GFLOPs targets")});
    m_values = new QLineEdit(QStringLiteral("0, 4, 8, 12, 16"), this);
    values->addWidget(m_kind);
    values->addWidget(m_values, 1);
    form->addRow(tr("Settings"), values);
    return box;
}

QWidget* EvaluateFolderDialog::buildButtons()
{
    auto* box = new QWidget(this);
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    m_run = new QPushButton(tr("Run"), box);
    m_run->setDefault(true); // Enter in a field runs
    m_status = new RunStatus(m_runner, box);
    m_exportFigure = new QPushButton(tr("Export Figure…"), box);
    m_exportData = new QPushButton(tr("Export Data…"), box);
    m_exportFigure->setEnabled(false);
    m_exportData->setEnabled(false);
    row->addWidget(m_run);
    row->addWidget(m_status, 1);
    row->addWidget(m_exportFigure);
    row->addWidget(m_exportData);
    connect(m_run, &QPushButton::clicked, this, &EvaluateFolderDialog::run);
    connect(m_exportFigure, &QPushButton::clicked, this, &EvaluateFolderDialog::exportFigureDialog);
    connect(m_exportData, &QPushButton::clicked, this, &EvaluateFolderDialog::exportDataDialog);
    return box;
}

EvalSettings EvaluateFolderDialog::settingsFromFields() const
{
    EvalSettings s;
    s.model = m_workspace->modelSettings();
    s.images = m_folder->text().trimmed().toStdString();
    s.labels = m_labels->text().trimmed().toStdString();
    if (s.images.empty())
        throw Error("choose a folder of images");
    for (ReductionMethod m : kMethods)
        if (methodBox(m)->isChecked()) {
            ReductionOptions o;
            o.method = m;
            s.methods.push_back(o);
        }
    if (s.methods.empty())
        throw Error("tick at least one method");
    const bool byR = m_kind->currentIndex() == 0;
    for (double v : valuesOf(m_values->text(), byR))
        byR ? s.r.push_back(static_cast<int>(v)) : s.gflops.push_back(v);
    return s;
}

void EvaluateFolderDialog::setFields(const EvalSettings& s)
{
    m_folder->setText(QString::fromStdString(s.images));
    m_labels->setText(QString::fromStdString(s.labels));
    for (ReductionMethod m : kMethods)
        methodBox(m)->setChecked(std::any_of(s.methods.begin(), s.methods.end(), [m](const ReductionOptions& o) { return o.method == m; }));
    m_kind->setCurrentIndex(s.gflops.empty() ? 0 : 1);
    m_values->setText(listText(s));
}

QString EvaluateFolderDialog::progressPathFor(const QString& folder, const QString& labels)
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + "/evaluations";
    QDir().mkpath(dir);
    const QByteArray key = QCryptographicHash::hash((QDir(folder).absolutePath() + "\n" + labels).toUtf8(), QCryptographicHash::Sha256);
    return dir + "/" + QString::fromLatin1(key.toHex().left(16)) + ".progress.jsonl";
}

void EvaluateFolderDialog::run()
{
    EvalSettings settings;
    try {
        settings = settingsFromFields();
    } catch (const std::exception& e) {
        m_status->setMessage(tr("Error: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    const QString progress = progressPathFor(QString::fromStdString(settings.images), QString::fromStdString(settings.labels));
    m_run->setEnabled(false);
    m_runner->start([settings, progress = progress.toStdString()](const RunControl& control) -> std::any {
        EvalRequest request = evalRequestOf(settings, cachedVit(settings.model.source, &control));
        request.progressPath = progress;
        return std::make_pair(runEvaluation(request, control), settings);
    });
}

void EvaluateFolderDialog::showResult(const EvalResult& result, const EvalSettings& settings)
{
    m_result = result;
    m_resultSettings = settings;
    setFields(settings);
    m_view->setFigure(*figure());
    fillTable(result);
    m_exportFigure->setEnabled(true);
    m_exportData->setEnabled(true);
    Q_EMIT evaluated();
}

void EvaluateFolderDialog::fillTable(const EvalResult& r)
{
    const QStringList headers{tr("Method"), r.byBudget ? tr("GFLOPs target") : tr("r"), tr("GFLOPs"), tr("images/s"), tr("top-1 agreement"),
                              tr("mean cosine"), tr("mean KL"), tr("top-1"), tr("top-5")};
    m_table->clear();
    m_table->setColumnCount(static_cast<int>(headers.size()));
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setRowCount(static_cast<int>(r.rows.size()));
    auto percent = [](double v) { return QString::number(100 * v, 'f', 1) + " %"; };
    for (int i = 0; i < static_cast<int>(r.rows.size()); ++i) {
        const EvalRow& row = r.rows[static_cast<std::size_t>(i)];
        const QStringList cells{QString::fromUtf8(reductionMethodTitle(row.method)),
                                r.byBudget ? QString::number(row.gflopsTarget, 'g', 4) : QString::number(row.r),
                                QString::number(row.gflops, 'f', 3), QString::number(row.imagesPerSecond, 'f', 1),
                                percent(row.top1Agreement), QString::number(row.meanCosine, 'f', 4),
                                r.hasHead ? QString::number(row.meanKl, 'g', 3) : QString("—"),
                                r.hasLabels ? percent(row.top1) : QString("—"), r.hasLabels ? percent(row.top5) : QString("—")};
        for (int c = 0; c < static_cast<int>(cells.size()); ++c)
            m_table->setItem(i, c, new QTableWidgetItem(cells[c]));
    }
}

std::optional<Figure> EvaluateFolderDialog::figure() const
{
    if (!m_result)
        return std::nullopt;
    return evalFigure(*m_result, toJson(m_resultSettings), recipeArguments(m_resultSettings));
}

QJsonObject EvaluateFolderDialog::saveState() const
{
    if (!m_result)
        return {};
    return {{"settings", QJsonDocument::fromJson(QByteArray::fromStdString(toJson(m_resultSettings).dump())).object()},
            {"result", QJsonDocument::fromJson(QByteArray::fromStdString(evaluationJson(*m_result))).object()}};
}

QStringList EvaluateFolderDialog::restoreState(const QJsonObject& state)
{
    std::vector<std::string> problems;
    EvalSettings settings;
    const QByteArray settingsJson = QJsonDocument(state["settings"].toObject()).toJson(QJsonDocument::Compact);
    fromJson(nlohmann::json::parse(settingsJson.toStdString(), nullptr, false), settings, problems);
    QStringList out;
    for (const std::string& p : problems)
        out << tr("Evaluate Folder: %1").arg(QString::fromStdString(p));
    try {
        showResult(evaluationFromJson(QJsonDocument(state["result"].toObject()).toJson(QJsonDocument::Compact).toStdString()), settings);
    } catch (const std::exception& e) {
        out << tr("Evaluate Folder: %1").arg(QString::fromStdString(e.what()));
    }
    return out;
}

void EvaluateFolderDialog::exportTo(const QString& title, const QString& name, const QString& filter,
                                    const std::function<void(const QString&)>& write)
{
    const QString path = m_result ? QFileDialog::getSaveFileName(this, title, name, filter) : QString();
    if (path.isEmpty())
        return;
    try {
        write(path); // through OutputFiles: a failure leaves nothing half-written
    } catch (const std::exception& e) {
        QMessageBox::warning(this, title, QString::fromStdString(e.what()));
    }
}

void EvaluateFolderDialog::exportFigureDialog()
{
    exportTo(tr("Export Figure"), QStringLiteral("evaluation.png"), tr("PNG image (*.png);;SVG vector (*.svg);;PDF document (*.pdf)"),
             [this](const QString& path) { exportFigure(*figure(), path, path.endsWith(".png", Qt::CaseInsensitive) ? 2.0 : 1.0); });
}

void EvaluateFolderDialog::exportDataDialog()
{
    exportTo(tr("Export Data"), QStringLiteral("evaluation.json"), tr("JSON (*.json);;CSV (*.csv)"), [this](const QString& path) {
        const bool csv = path.endsWith(".csv", Qt::CaseInsensitive);
        writeFileAtomically(path, QByteArray::fromStdString(csv ? evaluationCsv(*m_result) : evaluationJson(*m_result)));
    });
}

} // namespace ts
