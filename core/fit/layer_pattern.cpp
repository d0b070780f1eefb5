#include "core/fit/layer_pattern.h"

#include "core/util/error.h"

#include <cctype>

namespace ts {
namespace {

constexpr int kMaxLayers = 1000;

class PatternParser {
public:
    explicit PatternParser(const std::string& text) : m_text(text) {}

    LayerPattern parse()
    {
        LayerPattern pattern;
        bool open = false; // a block whose local layers are read and whose global count is pending
        skipSpace();
        if (atEnd())
            fail("empty pattern, expected e.g. L(8)G(2)L(8)G(2)");
        while (!atEnd()) {
            const std::size_t at = m_pos;
            const char ch = static_cast<char>(std::toupper(static_cast<unsigned char>(m_text[m_pos])));
            if (ch == 'L' || ch == '(') {
                if (open) // a block that ended without global layers and is not the last one
                    failAt(at, "only the last block may have no global layers; put G<count> before this");
                FitBlockSpec block;
                if (ch == 'L')
                    ++m_pos;
                block.local = count(ch == '(');
                pattern.blocks.push_back(block);
                open = true;
                // Official form: "(8)2": a bare number after the bracket is the global count.
                skipSpace();
                if (ch == '(' && !atEnd() && std::isdigit(static_cast<unsigned char>(m_text[m_pos]))) {
                    pattern.blocks.back().global = number();
                    open = pattern.blocks.back().global == 0;
                }
            } else if (ch == 'G') {
                ++m_pos;
                const int global = count(false);
                if (open) {
                    pattern.blocks.back().global = global;
                } else {
                    pattern.blocks.push_back(FitBlockSpec{0, global}); // a block with no local layers
                }
                open = global == 0;
            } else {
                failAt(at, std::string("expected L, G or '(', got '") + m_text[at] + "'");
            }
            skipSpace();
        }
        if (pattern.transformerLayers() == 0)
            fail("no layers (every count is 0)");
        for (std::size_t i = 0; i + 1 < pattern.blocks.size(); ++i)
            if (pattern.blocks[i].global == 0)
                fail("block " + std::to_string(i + 1) + " has no global layers; only the last block may");
        return pattern;
    }

private:
    // After L or G: "(8)" or "8". After a bare "(": the digits and ")".
    int count(bool openingBracketAtCursor)
    {
        skipSpace();
        if (atEnd())
            failAt(m_pos, "expected a layer count, got the end of the pattern");
        if (m_text[m_pos] == '(' || openingBracketAtCursor) {
            ++m_pos;
            skipSpace();
            const int value = number();
            skipSpace();
            if (atEnd())
                failAt(m_pos, "expected ')', got the end of the pattern");
            if (m_text[m_pos] != ')')
                failAt(m_pos, std::string("expected ')', got '") + m_text[m_pos] + "'");
            ++m_pos;
            return value;
        }
        return number();
    }

    int number()
    {
        if (atEnd())
            failAt(m_pos, "expected a number, got the end of the pattern");
        if (!std::isdigit(static_cast<unsigned char>(m_text[m_pos])))
            failAt(m_pos, std::string("expected a number, got '") + m_text[m_pos] + "'");
        const std::size_t start = m_pos;
        long value = 0;
        while (!atEnd() && std::isdigit(static_cast<unsigned char>(m_text[m_pos]))) {
            value = value * 10 + (m_text[m_pos] - '0');
            if (value > kMaxLayers)
                failAt(start, "layer count above " + std::to_string(kMaxLayers));
            ++m_pos;
        }
        return static_cast<int>(value);
    }

    void skipSpace()
    {
        while (!atEnd() && std::isspace(static_cast<unsigned char>(m_text[m_pos])))
            ++m_pos;
    }
    bool atEnd() const { return m_pos >= m_text.size(); }

    [[noreturn]] void failAt(std::size_t at, const std::string& what) const
    {
        throw Error("pattern '" + m_text + "': column " + std::to_string(at + 1) + ": " + what);
    }
    [[noreturn]] void fail(const std::string& what) const { throw Error("pattern '" + m_text + "': " + what); }

    const std::string& m_text;
    std::size_t m_pos = 0;
};

} // namespace

const char* fitLayerKindName(FitLayerKind kind)
{
    switch (kind) {
    case FitLayerKind::Local: return "local";
    case FitLayerKind::Read: return "read";
    case FitLayerKind::Global: return "global";
    case FitLayerKind::Write: return "write";
    }
    return "?";
}

int LayerPattern::localLayers() const
{
    int total = 0;
    for (const auto& b : blocks)
        total += b.local;
    return total;
}

int LayerPattern::globalLayers() const
{
    int total = 0;
    for (const auto& b : blocks)
        total += b.global;
    return total;
}

bool LayerPattern::hasWrite(int block) const
{
    return block + 1 < static_cast<int>(blocks.size()) && blocks[static_cast<std::size_t>(block)].global > 0;
}

std::vector<FitLayerKind> LayerPattern::steps() const
{
    std::vector<FitLayerKind> out;
    for (int i = 0; i < static_cast<int>(blocks.size()); ++i) {
        const FitBlockSpec& b = blocks[static_cast<std::size_t>(i)];
        out.insert(out.end(), static_cast<std::size_t>(b.local), FitLayerKind::Local);
        if (b.global > 0) {
            out.push_back(FitLayerKind::Read);
            out.insert(out.end(), static_cast<std::size_t>(b.global), FitLayerKind::Global);
            if (hasWrite(i))
                out.push_back(FitLayerKind::Write);
        }
    }
    return out;
}

std::string LayerPattern::text() const
{
    std::string s;
    for (const auto& b : blocks) {
        s += "L(" + std::to_string(b.local) + ")";
        if (b.global > 0)
            s += "G(" + std::to_string(b.global) + ")";
    }
    return s;
}

LayerPattern parseLayerPattern(const std::string& text) { return PatternParser(text).parse(); }

} // namespace ts
