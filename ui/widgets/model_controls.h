#pragma once
// The left-hand controls every lab shares: the image and where the model's weights come from.
// They write the Workspace; the labs react to its signals.
#include <QWidget>

class QGroupBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace ts {

class Workspace;
class JobRunner;
class RunStatus;

class ModelControls : public QWidget {
    Q_OBJECT
public:
    explicit ModelControls(Workspace* workspace, QWidget* parent = nullptr);

    QComboBox* presetBox() const { return m_preset; }
    QSpinBox* seedBox() const { return m_seed; }
    QSpinBox* sizeBox() const { return m_size; }
    // Loads a checkpoint (the model is built on the worker thread; errors are shown, the previous
    // model stays).
    void loadCheckpoint(const QString& path);
    void saveWeights(const QString& path);

Q_SIGNALS:
    void openImageRequested();

private:
    QGroupBox* buildImageBox();
    QGroupBox* buildModelBox();
    void connectControls();
    void applyControls();
    void syncFromWorkspace(); // after a session restores the workspace
    void refreshLabels();

    Workspace* m_workspace;
    QComboBox* m_preset;
    QSpinBox* m_size;
    QSpinBox* m_seed;
    QComboBox* m_normalisation;
    QLabel* m_imageLabel;
    QLabel* m_weightsLabel;
    QString m_detected, m_detectedFor; // what the last loaded checkpoint was found to be, and its path
    QPushButton* m_useRandom;
    JobRunner* m_runner;
    RunStatus* m_status;
};

} // namespace ts
