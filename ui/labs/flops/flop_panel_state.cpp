// The FLOP lab's session state: its controls, its custom models and every measured point (shown
// or not), so a reopened session draws the same chart without measuring again.
#include "core/flops/flop_config.h"
#include "ui/labs/flops/flop_model_list.h"
#include "ui/labs/flops/flop_panel.h"
#include "ui/labs/flops/flop_chart_settings.h"
#include "ui/widgets/run_status.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>

namespace ts {

QJsonObject FlopPanel::saveState() const
{
    QJsonArray presets;
    for (const QString& name : m_models->checkedNames())
        presets.append(name);
    const std::vector<ArchSpec>& custom = m_models->customModels();
    // Every measured point, shown or not, as `tokenscope flops --json` writes them, so a reopened
    // session shows them without running again.
    const FlopReport kept = m_measurements.keptReport([this](const std::string& name) { return m_models->specFor(name); });
    return {{"presets", presets},
            {"lengths", m_lengths->text()},
            {"convention", m_convention->currentData().toString()},
            {"mode", flopChartModeName(m_mode->currentIndex())},
            {"reference", m_reference->currentText()},
            {"by_stage", m_byStage->isChecked()},
            {"measure_max_length", m_measureLimit->currentData().toLongLong()},
            {"custom_models", custom.empty() ? QJsonValue()
                                             : QJsonDocument::fromJson(FlopModelList::customModelsJson(custom)).object().value("models")},
            {"measured", m_measurements.empty()
                             ? QJsonValue()
                             : QJsonValue(QJsonDocument::fromJson(QByteArray::fromStdString(flopReportJson(kept))).object())}};
}

QStringList FlopPanel::restoreModels(const QJsonObject& state)
{
    QStringList problems;
    m_models->removeAllCustomModels(); // a session holds the whole list
    if (state.value("custom_models").isArray()) {
        try {
            const QByteArray text = QJsonDocument(state.value("custom_models").toArray()).toJson(QJsonDocument::Compact);
            addCustomModels(parseFlopConfig(text.toStdString(), "session custom_models"), false);
        } catch (const std::exception& e) {
            m_error->setText(tr("Custom models not restored: %1").arg(QString::fromUtf8(e.what())));
            problems << tr("FLOPs: custom models not restored: %1").arg(QString::fromUtf8(e.what()));
        }
    }
    if (state.contains("presets")) {
        QStringList wanted;
        for (const QJsonValue& v : state.value("presets").toArray())
            wanted << v.toString().toLower();
        for (const QString& name : m_models->setChecked(wanted))
            problems << tr("FLOPs: the model '%1' is not known here; left out").arg(name);
    }
    return problems;
}

QStringList FlopPanel::restoreMeasurements(const QJsonObject& state)
{
    m_measurements.clear();
    if (!state.value("measured").isObject())
        return {};
    try {
        m_measurements.restore(flopReportFromJson(
            QJsonDocument(state.value("measured").toObject()).toJson(QJsonDocument::Compact).toStdString()));
    } catch (const std::exception& e) {
        m_status->setMessage(tr("Measured points not restored: %1").arg(QString::fromUtf8(e.what())));
        return {tr("FLOPs: measured points not restored: %1").arg(QString::fromUtf8(e.what()))};
    }
    return {};
}

QStringList FlopPanel::restoreState(const QJsonObject& state)
{
    m_restoring = true;
    QStringList problems = restoreModels(state);
    if (state.contains("lengths"))
        m_lengths->setText(state.value("lengths").toString());
    const int conv = m_convention->findData(state.value("convention").toString());
    if (conv >= 0)
        m_convention->setCurrentIndex(conv);
    for (int i = 0; i < 3; ++i)
        if (state.value("mode").toString() == flopChartModeName(i))
            m_mode->setCurrentIndex(i);
    if (state.contains("by_stage"))
        m_byStage->setChecked(state.value("by_stage").toBool());
    const int limit = m_measureLimit->findData(state.value("measure_max_length").toVariant().toLongLong());
    if (state.contains("measure_max_length") && limit >= 0)
        m_measureLimit->setCurrentIndex(limit);
    problems << restoreMeasurements(state);
    m_restoring = false;
    recompute();
    const int ref = m_reference->findText(state.value("reference").toString());
    if (ref >= 0)
        m_reference->setCurrentIndex(ref);
    refreshView();
    return problems;
}

} // namespace ts
