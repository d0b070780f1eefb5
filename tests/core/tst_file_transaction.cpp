// Writing outputs so that nothing is lost (core/io/file_transaction.h): a write that fails at
// any point (here a file size limit, as a full disk would) leaves the previous file whole and no
// temporary file; several outputs are all written or none; repeated or unwritable paths are
// refused before anything is written.
#include "core/io/file_transaction.h"
#include "core/io/safetensors.h"
#include "core/util/error.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace ts;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

void writeRaw(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

QStringList entries(const QString& dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

std::string s(const QString& path) { return path.toStdString(); }

// RLIMIT_FSIZE for this process while alive: writes past `bytes` fail with EFBIG (SIGXFSZ
// ignored), exactly where a full disk would fail them with ENOSPC.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        std::signal(SIGXFSZ, SIG_IGN);
        getrlimit(RLIMIT_FSIZE, &m_saved);
        rlimit r = m_saved;
        r.rlim_cur = bytes;
        setrlimit(RLIMIT_FSIZE, &r);
    }
    ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &m_saved); }

private:
    rlimit m_saved{};
};

QString failure(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestFileTransaction : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void replacesAndKeepsPermissions();
    void smallFileOnFullDiskKeepsTheOldOne_data();
    void smallFileOnFullDiskKeepsTheOldOne();
    void checkpointOnFullDiskKeepsTheOldOne();
    void allOrNoneWhenOneStageFails();
    void allOrNoneWhenARenameFails();
    void refusesBadTargetsBeforeWriting_data();
    void refusesBadTargetsBeforeWriting();
    void abandonedTransactionLeavesNothing();
};

void TestFileTransaction::replacesAndKeepsPermissions()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("a.json");
    writeRaw(path, "old");
    QVERIFY(::chmod(s(path).c_str(), 0640) == 0);
    writeFileAtomically(s(path), "new contents");
    QCOMPARE(readAll(path), QByteArray("new contents"));
    struct stat st {};
    QCOMPARE(::stat(s(path).c_str(), &st), 0);
    QCOMPARE(int(st.st_mode & 0777), 0640);
    QCOMPARE(entries(dir.path()), QStringList{"a.json"});
}

// Outputs far below any write buffer (16 KiB in Qt, 4-8 KiB in stdio) are the case a buffered
// writer got wrong: the failure came at the final flush, unchecked, and a 0-byte file replaced a
// good one. Every size must fail cleanly, from nothing written at all to all but the last byte.
void TestFileTransaction::smallFileOnFullDiskKeepsTheOldOne_data()
{
    QTest::addColumn<int>("limit");
    QTest::addColumn<int>("size");
    QTest::newRow("nothing fits") << 0 << 100;
    QTest::newRow("half fits") << 50 << 100;
    QTest::newRow("all but one byte") << 99 << 100;
    QTest::newRow("16 KiB JSON, 4 KiB left") << 4096 << 16384;
}

void TestFileTransaction::smallFileOnFullDiskKeepsTheOldOne()
{
    QFETCH(int, limit);
    QFETCH(int, size);
    QTemporaryDir dir;
    const QString path = dir.filePath("fam.json");
    writeRaw(path, "{\"previous\": true}");
    const std::string bytes(static_cast<std::size_t>(size), 'x');
    QString message;
    {
        const FileSizeLimit full(static_cast<rlim_t>(limit));
        message = failure([&] { writeFileAtomically(s(path), bytes); });
    }
    QVERIFY2(message.startsWith("cannot write '" + path + "': File too large"), qPrintable(message));
    QVERIFY(message.contains("the existing file is unchanged"));
    QCOMPARE(readAll(path), QByteArray("{\"previous\": true}"));
    QCOMPARE(entries(dir.path()), QStringList{"fam.json"});
}

void TestFileTransaction::checkpointOnFullDiskKeepsTheOldOne()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("w.safetensors");
    const std::vector<float> small(4, 1.0f), large(4096, 2.0f);
    writeSafetensors(s(path), {{"w", {{4}, small.data()}}});
    const QByteArray before = readAll(path);
    QString message;
    {
        const FileSizeLimit full(1000);
        message = failure([&] { writeSafetensors(s(path), {{"w", {{4096}, large.data()}}}); });
    }
    QVERIFY2(message.contains("File too large"), qPrintable(message));
    QCOMPARE(readAll(path), before);
    QCOMPARE(readSafetensors(s(path)).floats("w"), small);
    QCOMPARE(entries(dir.path()), QStringList{"w.safetensors"});
}

void TestFileTransaction::allOrNoneWhenOneStageFails()
{
    QTemporaryDir dir;
    const QString figure = dir.filePath("k.png"), json = dir.filePath("k.json");
    writeRaw(json, "old json");
    QString message;
    {
        FileTransaction t;
        t.stage(s(figure), std::string(100, 'p')); // fits
        const FileSizeLimit full(200);
        message = failure([&] { t.stage(s(json), std::string(1000, 'j')); }); // does not
    } // not committed: the staged figure goes too
    QVERIFY2(message.contains("File too large"), qPrintable(message));
    QCOMPARE(entries(dir.path()), QStringList{"k.json"});
    QCOMPARE(readAll(json), QByteArray("old json"));
}

// A rename that fails after others succeeded (here the second target became a folder after its
// file was staged) undoes the first: the old file is back, a new file is gone.
void TestFileTransaction::allOrNoneWhenARenameFails()
{
    QTemporaryDir dir;
    const QString a = dir.filePath("a.json"), b = dir.filePath("b.png"), c = dir.filePath("c.csv");
    writeRaw(a, "old a");
    FileTransaction t;
    t.stage(s(a), "new a");
    t.stage(s(c), "new c");
    t.stage(s(b), "new b");
    QVERIFY(QDir(dir.path()).mkdir("b.png"));
    QVERIFY(QFile(dir.filePath("b.png/keep")).open(QIODevice::WriteOnly));
    const QString message = failure([&] { t.commit(); });
    QVERIFY2(message.startsWith("cannot write '" + b + "'") && message.contains("no output was written"), qPrintable(message));
    QCOMPARE(readAll(a), QByteArray("old a"));
    QCOMPARE(entries(dir.path()), (QStringList{"a.json", "b.png"}));
}

void TestFileTransaction::refusesBadTargetsBeforeWriting_data()
{
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");
    QTest::addColumn<QString>("message");
    QTest::newRow("same path twice") << "x.png" << "x.png" << "is given for two outputs";
    QTest::newRow("same file, two spellings") << "x.png" << "./sub/../x.png" << "are the same file";
    QTest::newRow("a folder") << "x.png" << "sub" << "it is a folder";
    QTest::newRow("missing folder") << "x.png" << "nowhere/x.json" << "does not exist";
    QTest::newRow("a named pipe") << "x.png" << "fifo" << "not a regular file";
}

void TestFileTransaction::refusesBadTargetsBeforeWriting()
{
    QFETCH(QString, first);
    QFETCH(QString, second);
    QFETCH(QString, message);
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkdir("sub"));
    QCOMPARE(::mkfifo(s(dir.filePath("fifo")).c_str(), 0600), 0);
    const QStringList before = entries(dir.path());
    FileTransaction t;
    t.reserve(s(dir.filePath(first)));
    const QString got = failure([&] { t.reserve(s(dir.filePath(second))); });
    QVERIFY2(got.contains(message), qPrintable(got));
    QVERIFY(!got.contains('\n'));
    QCOMPARE(entries(dir.path()), before);
}

void TestFileTransaction::abandonedTransactionLeavesNothing()
{
    QTemporaryDir dir;
    {
        FileTransaction t;
        t.stage(s(dir.filePath("a")), "a");
        t.stage(s(dir.filePath("b")), "b");
        QCOMPARE(t.stagedPaths().size(), std::size_t(2));
    }
    QVERIFY(entries(dir.path()).isEmpty());
}

QTEST_GUILESS_MAIN(TestFileTransaction)
#include "tst_file_transaction.moc"
