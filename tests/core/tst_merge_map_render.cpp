// The merged-token map's rendering (core/render/merge_map.h): group borders stay visible on white
// and on black (each side of an edge in the ink that contrasts with its own group), random group
// colours are distinct per group, the same on every run, and keep a group's colour while it grows.
#include "core/render/merge_map.h"

#include <QtTest>

#include <set>

using namespace ts;

class TestMergeMapRender : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bordersContrastOnWhiteAndBlack();
    void randomColoursDistinct();
    void randomColourFollowsTheGroup();
};

namespace {

cv::Vec3b at(const cv::Mat& m, int x, int y) { return m.at<cv::Vec3b>(y, x); }
int luma(const cv::Vec3b& c) { return (299 * c[0] + 587 * c[1] + 114 * c[2]) / 1000; }

} // namespace

// A 4x4 grid: the left half white, the right half black, one group per half.
void TestMergeMapRender::bordersContrastOnWhiteAndBlack()
{
    cv::Mat crop(64, 64, CV_8UC3, cv::Scalar(255, 255, 255));
    crop(cv::Rect(32, 0, 32, 64)).setTo(cv::Scalar(0, 0, 0));
    std::vector<int> token(16);
    for (int p = 0; p < 16; ++p)
        token[std::size_t(p)] = p % 4 < 2 ? 1 : 2;
    MergeMapStyle style;
    style.outputSize = 128; // 32 px cells; the edge between the halves at x = 64
    const cv::Mat map = renderMergeMap(crop, 4, token, style);
    for (int y : {5, 60, 120}) {
        QVERIFY2(luma(at(map, 63, y)) < 60, "the border on the white side is dark");
        QVERIFY2(luma(at(map, 64, y)) > 200, "the border on the black side is light");
        QCOMPARE(luma(at(map, 40, y)), 255); // the groups themselves untouched
        QCOMPARE(luma(at(map, 90, y)), 0);
    }
    style.borders = false;
    const cv::Mat plain = renderMergeMap(crop, 4, token, style);
    QCOMPARE(luma(at(plain, 63, 5)), 255);
    QCOMPARE(luma(at(plain, 64, 5)), 0);
}

void TestMergeMapRender::randomColoursDistinct()
{
    const std::vector<cv::Vec3b> a = randomGroupColours(1024), b = randomGroupColours(1024);
    std::set<std::uint32_t> seen;
    for (std::size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i], b[i]); // fixed across runs
        QVERIFY(seen.insert((std::uint32_t(a[i][0]) << 16) | (std::uint32_t(a[i][1]) << 8) | a[i][2]).second);
    }
    // One group per patch: every cell its own colour, none of them the mean colour of the crop.
    cv::Mat crop(64, 64, CV_8UC3, cv::Scalar(128, 128, 128));
    std::vector<int> token(64);
    for (int p = 0; p < 64; ++p)
        token[std::size_t(p)] = p + 1;
    MergeMapStyle style;
    style.outputSize = 64;
    style.randomColours = true;
    style.borders = false;
    const cv::Mat map = renderMergeMap(crop, 8, token, style);
    std::set<std::uint32_t> cells;
    for (int p = 0; p < 64; ++p) {
        const cv::Vec3b c = at(map, (p % 8) * 8 + 4, (p / 8) * 8 + 4);
        QCOMPARE(c, a[std::size_t(p)]);
        cells.insert((std::uint32_t(c[0]) << 16) | (std::uint32_t(c[1]) << 8) | c[2]);
    }
    QCOMPARE(int(cells.size()), 64);
}

// Patches 0 and 1 merge: the group keeps patch 0's colour (its smallest patch), whatever its
// token index is.
void TestMergeMapRender::randomColourFollowsTheGroup()
{
    cv::Mat crop(32, 32, CV_8UC3, cv::Scalar(10, 200, 30));
    MergeMapStyle style;
    style.outputSize = 32;
    style.randomColours = true;
    style.borders = false;
    const cv::Mat before = renderMergeMap(crop, 2, {1, 2, 3, 4}, style);
    const cv::Mat after = renderMergeMap(crop, 2, {7, 7, 1, 2}, style);
    QCOMPARE(at(after, 4, 4), at(before, 4, 4));
    QCOMPARE(at(after, 20, 4), at(before, 4, 4));
    QCOMPARE(at(after, 4, 20), at(before, 4, 20));
}

QTEST_GUILESS_MAIN(TestMergeMapRender)
#include "tst_merge_map_render.moc"
