// Evaluation over a folder (core/reduction/evaluation_api.h) on folders the test writes: counts
// and skipped files, agreement exactly 1 at zero reduction, accuracy against labels worked out from
// the model's own single-image predictions, resume after a cancel without recomputing finished
// images, and the batch chosen from the memory check (or the run refused with numbers).
#include "core/reduction/evaluation_api.h"
#include "core/reduction/image_labels.h"
#include "core/tome/tome_api.h"
#include "core/tome/tome_memory.h"
#include "tests/common/image_folder_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace ts;

class TestEvaluation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void countsAndZeroReduction();
    void accuracyAgainstLabels();
    void classFoldersAreLabels();
    void resumesAfterCancel();
    void changedModelStartsOver();
    void batchFromMemoryCheck();

private:
    EvalRequest request(const QString& folder, std::vector<int> r) const;
    VitModelPtr m_model;
    QTemporaryDir m_dir;
};

void TestEvaluation::initTestCase()
{
    ModelSource source;
    source.preset = "vit-ti16";
    source.imageSize = 64; // 16 patches: a tiny, fast model
    source.seed = 3;
    m_model = buildVit(source);
}

EvalRequest TestEvaluation::request(const QString& folder, std::vector<int> r) const
{
    EvalRequest q;
    q.model = m_model;
    q.imageFolder = folder.toStdString();
    ReductionOptions tome;
    q.methods = {tome};
    q.rList = std::move(r);
    return q;
}

void TestEvaluation::countsAndZeroReduction()
{
    const QString folder = m_dir.filePath("plain");
    test::writeImageFolder(folder, 5);
    EvalRequest q = request(folder, {0, 2});
    ReductionOptions atc;
    atc.method = ReductionMethod::Atc;
    q.methods.push_back(atc);
    const EvalResult r = runEvaluation(q);
    QCOMPARE(r.images, 5);
    QCOMPARE(r.skipped.size(), std::size_t(2));
    QCOMPARE(r.skipped[0].file, std::string("notes.txt"));
    QVERIFY(r.skipped[0].reason.find("not an image") != std::string::npos);
    QCOMPARE(r.skipped[1].file, std::string("broken.png"));
    QVERIFY(!r.skipped[1].reason.empty());
    QCOMPARE(r.rows.size(), std::size_t(4)); // tome r=0,2 then atc r=0,2
    QCOMPARE(r.computed, 5 * 4);
    for (int k : {0, 2}) {
        const EvalRow& zero = r.rows[static_cast<std::size_t>(k)];
        QCOMPARE(zero.top1Agreement, 1.0);
        QVERIFY2(std::abs(zero.meanCosine - 1) < 1e-12, qPrintable(QString::number(zero.meanCosine, 'g', 17)));
        QVERIFY(std::abs(zero.meanKl) < 1e-12);
        QCOMPARE(zero.gflops, r.reference.gflops);
        const EvalRow& reduced = r.rows[static_cast<std::size_t>(k + 1)];
        QVERIFY(reduced.gflops < r.reference.gflops);
        QVERIFY(reduced.meanCosine < 1);
        QVERIFY(reduced.imagesPerSecond > 0);
    }
    QCOMPARE(r.rows[2].method, ReductionMethod::Atc);
    QVERIFY(!r.hasLabels);
}

void TestEvaluation::accuracyAgainstLabels()
{
    const QString folder = m_dir.filePath("labelled");
    const QStringList files = test::writeImageFolder(folder, 5, {}, false);
    // The model's own ranking of each image (one image at a time, runToMe), for labels whose
    // accuracy is known: a, b, c labelled with their top class (c by name), d with its third
    // (a top-5 hit, a top-1 miss), e with a class far down (a miss), plus a name no class has.
    std::vector<std::vector<ClassScore>> top;
    for (const QString& f : files) {
        ToMeRequest t;
        t.model = m_model;
        t.imageRgb = loadImage((folder + "/" + f).toStdString()).rgb;
        t.schedule = ToMeSchedule::constant(0);
        t.measurePlain = false;
        top.push_back(runToMe(t).top5);
    }
    const int far = (top[4][0].index + 500) % 1000;
    {
        std::ofstream csv((folder + "/labels.csv").toStdString());
        csv << "file,label\n"
            << "a.png," << top[0][0].index << "\nb.png," << top[1][0].index << "\n"
            << "c.png," << imagenetClassNames()[static_cast<std::size_t>(top[2][0].index)].substr(0, imagenetClassNames()[static_cast<std::size_t>(top[2][0].index)].find(',')) << "\n"
            << "d.png," << top[3][2].index << "\ne.png," << far << "\nzzz.png,no such class\n";
    }
    EvalRequest q = request(folder, {0, 4});
    q.labelsFile = (folder + "/labels.csv").toStdString();
    const EvalResult r = runEvaluation(q);
    QCOMPARE(r.images, 5);
    QVERIFY(r.hasLabels);
    QCOMPARE(r.labelled, 5);
    QCOMPARE(r.unmatchedLabels, std::vector<std::string>{"no such class"});
    QCOMPARE(r.reference.top1, 3.0 / 5);
    QCOMPARE(r.reference.top5, 4.0 / 5);
    QCOMPARE(r.rows[0].top1, 3.0 / 5); // r = 0 is the unreduced model
    QCOMPARE(r.rows[0].top5, 4.0 / 5);
}

void TestEvaluation::classFoldersAreLabels()
{
    const QString folder = m_dir.filePath("classes");
    test::writeImageFolder(folder, 4, {"tabby", "Egyptian_cat", "not-a-class"});
    const EvalResult r = runEvaluation(request(folder, {0}));
    QCOMPARE(r.images, 4);
    QVERIFY(r.hasLabels);
    QCOMPARE(r.labelsFrom, std::string("class folders"));
    QCOMPARE(r.labelled, 3); // a and d in tabby, b in Egyptian_cat
    QCOMPARE(r.unmatchedLabels, std::vector<std::string>{"not-a-class"});
    QCOMPARE(matchClassName("tabby", imagenetClassNames()), 281);
    QCOMPARE(matchClassName("egyptian cat", imagenetClassNames()), 285);
}

void TestEvaluation::resumesAfterCancel()
{
    const QString folder = m_dir.filePath("resume");
    test::writeImageFolder(folder, 5);
    EvalRequest q = request(folder, {0, 1, 2});
    q.maxBatch = 2; // batches of 2, 2 and 1; a record per image and run
    q.progressPath = m_dir.filePath("resume.progress.jsonl").toStdString();
    bool stop = false;
    RunControl cancelling;
    cancelling.onProgress = [&stop](int done, int, const std::string&) { stop = stop || done >= 4; };
    cancelling.isCancelled = [&stop] { return stop; };
    QVERIFY_THROWS_EXCEPTION(Cancelled, runEvaluation(q, cancelling)); // after the first batch's r = 0 and 1

    // 6 listed images (broken.png among them, skipped when read) x 3 runs.
    int firstDone = -1, lastTotal = 0;
    RunControl counting;
    counting.onProgress = [&](int done, int total, const std::string&) {
        if (firstDone < 0)
            firstDone = done;
        lastTotal = total;
    };
    const EvalResult resumed = runEvaluation(q, counting);
    QCOMPARE(resumed.resumed, 4);
    QCOMPARE(resumed.computed, 15 - 4);
    QCOMPARE(firstDone, 4);
    QCOMPARE(lastTotal, 18);

    EvalRequest fresh = q;
    fresh.progressPath.clear();
    const EvalResult whole = runEvaluation(fresh);
    QCOMPARE(whole.computed, 15);
    for (std::size_t i = 0; i < whole.rows.size(); ++i) {
        QCOMPARE(resumed.rows[i].top1Agreement, whole.rows[i].top1Agreement);
        QVERIFY(std::abs(resumed.rows[i].meanCosine - whole.rows[i].meanCosine) < 1e-6);
    }
    const EvalResult again = runEvaluation(q); // everything finished: nothing recomputed
    QCOMPARE(again.computed, 0);
    QCOMPARE(again.resumed, 15);
}

void TestEvaluation::changedModelStartsOver()
{
    const QString folder = m_dir.filePath("invalidate");
    test::writeImageFolder(folder, 3, {}, false);
    EvalRequest q = request(folder, {0, 2});
    q.progressPath = m_dir.filePath("invalidate.progress.jsonl").toStdString();
    QCOMPARE(runEvaluation(q).computed, 6);
    q.rList = {2, 3}; // a changed setting: r = 2 reused, r = 3 computed
    const EvalResult changed = runEvaluation(q);
    QCOMPARE(changed.resumed, 3);
    QCOMPARE(changed.computed, 3);
    ModelSource other = vitSourceOf(*m_model);
    other.seed = 4; // other weights: the file starts over
    q.model = buildVit(other);
    QCOMPARE(runEvaluation(q).resumed, 0);
}

void TestEvaluation::batchFromMemoryCheck()
{
    const QString folder = m_dir.filePath("memory");
    test::writeImageFolder(folder, 2, {}, false);
    EvalRequest q = request(folder, {0});
    const VitConfig& config = vitConfigOf(*m_model);
    q.memoryLimitBytes = static_cast<std::int64_t>(estimateToMeMemoryBytes(config, 4, false)) + 1;
    QCOMPARE(runEvaluation(q).batch, 4);
    q.memoryLimitBytes = 1000;
    try {
        runEvaluation(q);
        QFAIL("a run that cannot fit one image must be refused");
    } catch (const Error& e) {
        const std::string m = e.what();
        QVERIFY2(m.rfind("eval: ", 0) == 0 && m.find("batch 1") != std::string::npos && m.find("needs") != std::string::npos, e.what());
    }
}

QTEST_GUILESS_MAIN(TestEvaluation)
#include "tst_evaluation.moc"
