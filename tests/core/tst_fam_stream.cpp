// The defining check of TransformerFAM mode: streaming block by block with the ViT's own blocks
// equals one dense masked attention over the whole unrolled sequence [F_init | blk0 | F_0 | ...]
// using the mask generator's own FAM mask (and likewise BSWA), to float tolerance. Then the API:
// memory flat in length, the FAM queries never see memory segments, bad sizes and cancel.
#include "core/fam/fam_api.h"
#include "core/fam/fam_stream.h"
#include "core/masks/fam_mask.h"
#include "core/masks/window_masks.h"
#include "core/nn/attention.h"
#include "core/nn/ops.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"
#include "core/vit/vit_handle.h"

#include <ATen/CPUGeneratorImpl.h>
#include <QtTest>
#include <c10/core/InferenceMode.h>

#include <limits>

using namespace ts;

namespace {

VitConfig tinyConfig(int depth = 3)
{
    VitConfig c;
    c.name = "custom";
    c.imageSize = 32;
    c.patchSize = 8;
    c.width = 32;
    c.heads = 4;
    c.depth = depth;
    c.mlpHidden = 64;
    c.numClasses = 0;
    return c;
}

// Weights large enough that attention is far from uniform, so a wrong key set shows.
VisionTransformer tinyNet(int depth = 3)
{
    VisionTransformer net(tinyConfig(depth));
    net->initialiseRandom(11);
    torch::NoGradGuard noGrad;
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(5);
    for (auto& p : net->blocks->named_parameters())
        if (p.key().find("weight") != std::string::npos && p.key().find("norm") == std::string::npos)
            p.value().normal_(0.0, 0.15, gen);
    net->eval();
    return net;
}

// 0 where the mask allows (query, key), -inf elsewhere, from the mask's row ranges.
torch::Tensor maskBias(const AttentionMask& mask)
{
    torch::Tensor bias = torch::full({mask.queries(), mask.keys()}, -std::numeric_limits<float>::infinity());
    std::vector<KeyRange> row;
    for (std::int64_t q = 0; q < mask.queries(); ++q) {
        mask.keyRanges(q, row);
        for (const KeyRange& r : row)
            bias[q].slice(0, r.begin, r.end).zero_();
    }
    return bias;
}

torch::Tensor indexTensor(const std::vector<std::int64_t>& v) { return torch::tensor(v, torch::kLong); }

// Dense FAM over the unrolled layout. Within a layer F_t feeds block t+1 (the feedback loop), so the
// layer is one dense masked attention whose FAM inputs are its own FAM outputs: it is applied
// until they stop changing (blocks + 1 passes; F_t depends only on earlier blocks). The FAM query
// rows take the previous FAM as input ("FAM copy"), the FAM key columns the new FAM.
torch::Tensor denseFam(const VisionTransformer& net, const torch::Tensor& tokens, const torch::Tensor& prompt,
                       const FamMask& mask, std::vector<torch::Tensor>* finalFams)
{
    const FamLayout& lay = mask.layout();
    const std::int64_t f = lay.fam, nb = lay.blocks();
    const torch::Tensor bias = maskBias(mask);
    std::vector<std::int64_t> dataPos;
    for (std::int64_t i = 0; i < lay.length; ++i)
        dataPos.push_back(lay.positionOfToken(i));
    auto famPos = [&](std::int64_t t) {
        std::vector<std::int64_t> v;
        for (std::int64_t j = 0; j < f; ++j)
            v.push_back(lay.famStart(t) + j);
        return indexTensor(v);
    };
    torch::Tensor x = torch::zeros({1, lay.total(), tokens.size(2)});
    x.index_copy_(1, famPos(-1), prompt);
    x.index_copy_(1, indexTensor(dataPos), tokens);
    for (int l = 0; l < net->config.depth; ++l) {
        const BlockImpl& blk = *net->block(l);
        torch::Tensor kv = x.clone(), out, previous;
        for (std::int64_t pass = 0; pass <= nb; ++pass) {
            torch::Tensor xq = kv.clone();
            for (std::int64_t t = 0; t < nb; ++t)
                xq.index_copy_(1, famPos(t), kv.index_select(1, famPos(t - 1)));
            auto qh = blk.attn->qkvHeads(ops::layerNorm(xq, blk.norm1));
            auto kvh = blk.attn->qkvHeads(ops::layerNorm(kv, blk.norm1));
            out = blk.mlpResidual(xq + blk.attn->project(scaledDotAttention(qh[0], kvh[1], kvh[2], bias)));
            for (std::int64_t t = 0; t < nb; ++t)
                kv.index_copy_(1, famPos(t), out.index_select(1, famPos(t)));
            // The extra pass must change nothing: the fixed point was reached (a thrown exception
            // fails the test).
            if (pass == nb && !torch::allclose(out, previous, 1e-5, 1e-5))
                throw std::runtime_error("dense FAM did not settle");
            previous = out;
        }
        finalFams->push_back(out.index_select(1, famPos(nb - 1)));
        x = out;
    }
    return x.index_select(1, indexTensor(dataPos));
}

torch::Tensor denseBswa(const VisionTransformer& net, const torch::Tensor& tokens, const BlockSlidingWindowMask& mask)
{
    const torch::Tensor bias = maskBias(mask);
    torch::Tensor x = tokens;
    for (int l = 0; l < net->config.depth; ++l)
        x = net->block(l)->mlpResidual(net->block(l)->attentionResidual(x, bias));
    return x;
}

torch::Tensor streamAll(FamStreamer& streamer, const torch::Tensor& tokens, int block)
{
    std::vector<torch::Tensor> out;
    for (std::int64_t first = 0; first < tokens.size(1); first += block)
        out.push_back(streamer.step(tokens.narrow(1, first, std::min<std::int64_t>(block, tokens.size(1) - first))));
    return torch::cat(out, 1);
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

std::vector<Block> blocksOf(const VisionTransformer& net)
{
    std::vector<Block> v;
    for (int i = 0; i < net->config.depth; ++i)
        v.push_back(net->block(i));
    return v;
}

VitModelPtr tinyModel(int depth)
{
    auto m = std::make_shared<VitModel>();
    m->source.preset = "custom";
    m->net = tinyNet(depth);
    return m;
}

} // namespace

class TestFamStream : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { MemoryTracker::install(); }
    void famEqualsDenseMask_data();
    void famEqualsDenseMask();
    void bswaEqualsDenseMask_data();
    void bswaEqualsDenseMask();
    void stepBlocksEqualsOneAtATime_data();
    void stepBlocksEqualsOneAtATime();
    void runFamMatchesDefinition();
    void memoryIsFlatInLength();
    void famQueriesSkipMemory();
    void oneQueryIsItsRow();
    void badSizesAreRefused();
    void cancelStops();
};

void TestFamStream::famEqualsDenseMask_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("block");
    QTest::addColumn<int>("memory");
    QTest::addColumn<int>("fam");
    QTest::addColumn<bool>("causal");
    QTest::newRow("b2 s1 f1 (Fig. 2b)") << 8 << 2 << 1 << 1 << true;
    QTest::newRow("b3 s1 f2, short tail") << 11 << 3 << 1 << 2 << true;
    QTest::newRow("b3 s2 f2, bidirectional") << 11 << 3 << 2 << 2 << false;
    QTest::newRow("b4 s0 f3 (PassKey setting)") << 16 << 4 << 0 << 3 << true;
}

void TestFamStream::famEqualsDenseMask()
{
    QFETCH(int, length);
    QFETCH(int, block);
    QFETCH(int, memory);
    QFETCH(int, fam);
    QFETCH(bool, causal);
    c10::InferenceMode guard;
    VisionTransformer net = tinyNet();
    const torch::Tensor tokens = torch::randn({1, length, 32}, at::make_generator<at::CPUGeneratorImpl>(3));
    const torch::Tensor prompt = famPromptTokens(fam, 32, 9) * 50; // visible, not negligible

    FamStreamer streamer(blocksOf(net), FamSettings{block, memory, fam, true, causal}, prompt);
    const torch::Tensor streamed = streamAll(streamer, tokens, block);

    std::vector<torch::Tensor> denseFams;
    const FamMask mask(FamLayout{length, block, memory, fam}, causal);
    const torch::Tensor dense = denseFam(net, tokens, prompt, mask, &denseFams);
    QVERIFY2(maxDiff(streamed, dense) < 1e-4, qPrintable(QString::number(maxDiff(streamed, dense))));
    for (int l = 0; l < net->config.depth; ++l)
        QVERIFY(maxDiff(streamer.fam(l), denseFams[static_cast<std::size_t>(l)]) < 1e-4);

    // The comparison can fail: a mask with one more memory segment, or without the FAM's causal
    // choice, gives a different result.
    std::vector<torch::Tensor> ignored;
    const FamMask wrong(FamLayout{length, block, memory + 1, fam}, !causal);
    QVERIFY(maxDiff(streamed, denseFam(net, tokens, prompt, wrong, &ignored)) > 1e-3);
}

void TestFamStream::bswaEqualsDenseMask_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("block");
    QTest::addColumn<int>("memory");
    QTest::addColumn<bool>("causal");
    QTest::newRow("b2 s1 (Fig. 1b)") << 8 << 2 << 1 << true;
    QTest::newRow("b2 s2 (Fig. 1c)") << 9 << 2 << 2 << true;
    QTest::newRow("b5 s1 bidirectional") << 17 << 5 << 1 << false;
}

void TestFamStream::bswaEqualsDenseMask()
{
    QFETCH(int, length);
    QFETCH(int, block);
    QFETCH(int, memory);
    QFETCH(bool, causal);
    c10::InferenceMode guard;
    VisionTransformer net = tinyNet();
    const torch::Tensor tokens = torch::randn({1, length, 32}, at::make_generator<at::CPUGeneratorImpl>(4));
    FamStreamer streamer(blocksOf(net), FamSettings{block, memory, 0, false, causal});
    const torch::Tensor streamed = streamAll(streamer, tokens, block);
    const torch::Tensor dense = denseBswa(net, tokens, BlockSlidingWindowMask(length, block, memory, causal));
    QVERIFY2(maxDiff(streamed, dense) < 1e-4, qPrintable(QString::number(maxDiff(streamed, dense))));
    QVERIFY(maxDiff(streamed, denseBswa(net, tokens, BlockSlidingWindowMask(length, block, memory + 1, causal))) > 1e-3);
}

void TestFamStream::stepBlocksEqualsOneAtATime_data()
{
    QTest::addColumn<int>("fam");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<int>("perStep");
    QTest::newRow("FAM causal, 3 per step") << 3 << true << 3;
    QTest::newRow("FAM bidirectional, 4 per step") << 2 << false << 4;
    QTest::newRow("BSWA, 3 per step") << 0 << true << 3;
}

// Several blocks per call (what the API feeds) must give what one block at a time gives: the top
// outputs, every layer's FAM, and a probed block's attention, with a short last block.
void TestFamStream::stepBlocksEqualsOneAtATime()
{
    QFETCH(int, fam);
    QFETCH(bool, causal);
    QFETCH(int, perStep);
    c10::InferenceMode guard;
    VisionTransformer net = tinyNet();
    const int length = 53, block = 6, memory = 2; // nine blocks, the last of 5 tokens
    const torch::Tensor tokens = torch::randn({1, length, 32}, at::make_generator<at::CPUGeneratorImpl>(8));
    const torch::Tensor prompt = fam > 0 ? famPromptTokens(fam, 32, 9) * 50 : torch::Tensor();
    const FamSettings settings{block, memory, fam, fam > 0, causal};

    FamStreamer single(blocksOf(net), settings, prompt);
    FamProbe probeSingle;
    probeSingle.block = 4;
    probeSingle.layer = 1;
    std::vector<torch::Tensor> outSingle;
    for (int first = 0; first < length; first += block)
        outSingle.push_back(single.step(tokens.narrow(1, first, std::min(block, length - first)), &probeSingle));

    FamStreamer batched(blocksOf(net), settings, prompt);
    FamProbe probeBatched = FamProbe{};
    probeBatched.block = 4;
    probeBatched.layer = 1;
    std::vector<torch::Tensor> outBatched;
    for (int first = 0; first < length; first += block * perStep) {
        std::vector<torch::Tensor> chunk;
        for (int b = first; b < std::min(length, first + block * perStep); b += block)
            chunk.push_back(tokens.narrow(1, b, std::min(block, length - b)));
        for (torch::Tensor& t : batched.stepBlocks(chunk, &probeBatched))
            outBatched.push_back(t);
    }
    QCOMPARE(outBatched.size(), outSingle.size());
    QCOMPARE(batched.blocksDone(), single.blocksDone());
    const double d = maxDiff(torch::cat(outBatched, 1), torch::cat(outSingle, 1));
    QVERIFY2(d < 1e-5, qPrintable(QString::number(d)));
    for (int l = 0; fam > 0 && l < net->config.depth; ++l)
        QVERIFY(maxDiff(batched.fam(l), single.fam(l)) < 1e-5);
    QVERIFY(probeSingle.captured && probeBatched.captured);
    QCOMPARE(probeBatched.memoryKeys, probeSingle.memoryKeys);
    QCOMPARE(probeBatched.blockTokens, probeSingle.blockTokens);
    QVERIFY(maxDiff(probeBatched.probs, probeSingle.probs) < 1e-6);

    // A short block may only come last.
    FamStreamer refused(blocksOf(net), settings, prompt);
    QVERIFY_THROWS_EXCEPTION(Error, refused.stepBlocks({tokens.narrow(1, 0, 3), tokens.narrow(1, 3, block)}));
}

void TestFamStream::runFamMatchesDefinition()
{
    // The API's stream (seeded blocks, seeded prompt, causal by default) is the same computation.
    FamRequest r;
    r.model = tinyModel(2);
    r.streamLength = 13;
    r.block = 4;
    r.memory = 1;
    r.fam = 2;
    r.keepOutputs = true;
    const FamResult result = runFam(r);
    QVERIFY(result.causal);
    QCOMPARE(result.blocks, 4);
    c10::InferenceMode guard;
    std::vector<torch::Tensor> parts;
    for (std::int64_t t = 0; t < 4; ++t)
        parts.push_back(syntheticBlock(t, t < 3 ? 4 : 1, 32, r.streamSeed));
    std::vector<torch::Tensor> fams;
    const torch::Tensor dense = denseFam(r.model->net, torch::cat(parts, 1), famPromptTokens(2, 32, r.promptSeed),
                                         FamMask(FamLayout{13, 4, 1, 2}, true), &fams);
    const torch::Tensor got = torch::from_blob(const_cast<float*>(result.outputs.data()), {1, 13, 32});
    QVERIFY2(maxDiff(got, dense) < 1e-4, qPrintable(QString::number(maxDiff(got, dense))));
}

void TestFamStream::memoryIsFlatInLength()
{
    FamRequest r;
    r.model = tinyModel(2);
    r.block = 64;
    r.memory = 1;
    r.fam = 8;
    std::vector<std::int64_t> peaks;
    for (std::int64_t length : {2048, 8192, 32768, 131072}) {
        r.streamLength = length;
        const FamResult result = runFam(r);
        qInfo("length %lld: peak %lld bytes (estimate %lld), %.0f tokens/s", static_cast<long long>(length),
              static_cast<long long>(result.peakMemoryBytes), static_cast<long long>(result.estimatedMemoryBytes),
              result.tokensPerSecond);
        QVERIFY(result.peakMemoryBytes > 0);
        QVERIFY2(result.peakMemoryBytes <= result.estimatedMemoryBytes, "the estimate must not undershoot");
        peaks.push_back(result.peakMemoryBytes);
    }
    // 64x the tokens, the same memory (within 10 %).
    QVERIFY2(peaks.back() <= peaks.front() * 1.1, qPrintable(QString("%1 vs %2").arg(peaks.back()).arg(peaks.front())));
}

namespace {

// 40 stream tokens in blocks of 8, 2 memory segments, FAM 3; block 3 of layer 1 recorded.
FamRequest overlayRequest()
{
    FamRequest r;
    r.model = tinyModel(2);
    r.streamLength = 40;
    r.block = 8;
    r.memory = 2;
    r.fam = 3;
    r.overlayBlock = 3;
    r.overlayLayer = 1;
    return r;
}

} // namespace

void TestFamStream::famQueriesSkipMemory()
{
    FamRequest r = overlayRequest();
    const FamResult fam = runFam(r);
    QCOMPARE(fam.overlayAttention.size(), std::size_t(8));
    QCOMPARE(fam.overlayFirstToken, 24);
    QCOMPARE(fam.overlayOnMemory, 0.0f); // FAM queries read the block and the previous FAM only
    double total = fam.overlayOnPreviousFam;
    for (float w : fam.overlayAttention)
        total += w;
    QVERIFY(std::abs(total - 1.0) < 1e-5);
    // Without FAM the block's queries do read their memory segments.
    r.withFam = false;
    const FamResult bswa = runFam(r);
    QVERIFY(bswa.overlayOnMemory > 0.0f);
}

// One query's row: a causal block's token 2 sees the memory segments, the previous FAM and the
// block's tokens 0..2 (later ones weigh exactly 0); the FAM queries one by one average to the
// FAM queries' mean; a query past the block's queries is refused.
void TestFamStream::oneQueryIsItsRow()
{
    FamRequest r = overlayRequest();
    r.overlayQuery = 2;
    const FamResult token = runFam(r);
    QCOMPARE(token.overlayMemoryAttention.size(), std::size_t(16));
    QCOMPARE(token.overlayMemoryFirstToken, 8);
    QCOMPARE(token.overlayVisibleKeys, 16.0 + 3 + 3);
    for (std::size_t k = 3; k < 8; ++k)
        QCOMPARE(token.overlayAttention[k], 0.0f);
    QVERIFY(token.overlayOnMemory > 0.0f);
    double total = token.overlayOnMemory + token.overlayOnPreviousFam;
    for (float w : token.overlayAttention)
        total += w;
    QVERIFY(std::abs(total - 1.0) < 1e-5);

    r.overlayQuery = -1;
    const FamResult mean = runFam(r);
    std::vector<double> sum(mean.overlayAttention.size(), 0.0);
    for (int j = 0; j < 3; ++j) {
        r.overlayQuery = 8 + j; // FAM query j
        const FamResult one = runFam(r);
        QCOMPARE(one.overlayOnMemory, 0.0f);
        for (std::size_t k = 0; k < sum.size(); ++k)
            sum[k] += one.overlayAttention[k] / 3.0;
    }
    for (std::size_t k = 0; k < sum.size(); ++k)
        QVERIFY2(std::abs(sum[k] - mean.overlayAttention[k]) < 1e-6, qPrintable(QString("key %1: %2 vs %3").arg(k).arg(sum[k]).arg(mean.overlayAttention[k])));
    r.overlayQuery = 11;
    QVERIFY_THROWS_EXCEPTION(Error, runFam(r));
}

void TestFamStream::badSizesAreRefused()
{
    FamRequest r;
    r.model = tinyModel(1);
    r.streamLength = 10;
    r.block = 11;
    QVERIFY_THROWS_EXCEPTION(Error, runFam(r));
    r.block = 4;
    r.fam = 0;
    QVERIFY_THROWS_EXCEPTION(Error, runFam(r));
    r.fam = 2;
    r.memory = -1;
    QVERIFY_THROWS_EXCEPTION(Error, runFam(r));
    r.memory = 1;
    r.streamLength = 0;
    QVERIFY_THROWS_EXCEPTION(Error, runFam(r));
}

void TestFamStream::cancelStops()
{
    FamRequest r;
    r.model = tinyModel(1);
    r.streamLength = 100000;
    r.block = 16;
    int calls = 0;
    RunControl control;
    control.onProgress = [&calls](int, int, const std::string&) { ++calls; };
    control.isCancelled = [&calls] { return calls >= 3; };
    QVERIFY_THROWS_EXCEPTION(Cancelled, runFam(r, control));
    QCOMPARE(calls, 3);
}

QTEST_GUILESS_MAIN(TestFamStream)
#include "tst_fam_stream.moc"
