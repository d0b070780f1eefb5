#include "core/masks/tome_mask.h"

#include "core/util/error.h"

#include <algorithm>

namespace ts {

ToMeMask::ToMeMask(std::vector<int> tokenOfPatch, int layer) : m_tokenOfPatch(std::move(tokenOfPatch)), m_layer(layer)
{
    if (m_tokenOfPatch.empty())
        throw Error("tome mask: the source map is empty");
    const int maxToken = *std::max_element(m_tokenOfPatch.begin(), m_tokenOfPatch.end());
    m_positionsOfToken.resize(static_cast<std::size_t>(maxToken) + 1);
    m_positionsOfToken[0].push_back(0);
    for (std::size_t p = 0; p < m_tokenOfPatch.size(); ++p) {
        const int t = m_tokenOfPatch[p];
        if (t < 1)
            throw Error("tome mask: patch " + std::to_string(p) + " maps to token " + std::to_string(t) + " (tokens start at 1)");
        m_positionsOfToken[static_cast<std::size_t>(t)].push_back(static_cast<std::int64_t>(p) + 1);
    }
    m_positions = static_cast<std::int64_t>(m_tokenOfPatch.size()) + 1;
    m_tokens = std::count_if(m_positionsOfToken.begin(), m_positionsOfToken.end(),
                             [](const std::vector<std::int64_t>& v) { return !v.empty(); });
}

std::string ToMeMask::label() const
{
    return "ToMe effective mask (" + std::to_string(m_tokens) + " tokens over " + std::to_string(m_positions) + " positions"
           + (m_layer >= 0 ? ", after block " + std::to_string(m_layer) : std::string()) + ")";
}

void ToMeMask::keyRanges(std::int64_t query, std::vector<KeyRange>& out) const
{
    out.clear();
    // Every key is allowed; split the row where keys enter or leave the query's own token.
    std::int64_t next = 0;
    for (std::int64_t p : m_positionsOfToken[static_cast<std::size_t>(tokenAt(query))]) {
        if (p > next)
            out.push_back({next, p, KeyKind::Token});
        if (!out.empty() && out.back().kind == KeyKind::SameToken && out.back().end == p)
            out.back().end = p + 1;
        else
            out.push_back({p, p + 1, KeyKind::SameToken});
        next = p + 1;
    }
    if (next < m_positions)
        out.push_back({next, m_positions, KeyKind::Token});
}

std::string ToMeMask::describeQuery(std::int64_t position) const
{
    if (position == 0)
        return "class token";
    const int t = tokenAt(position);
    return "patch " + std::to_string(position - 1) + " in token " + std::to_string(t) + " ("
           + std::to_string(m_positionsOfToken[static_cast<std::size_t>(t)].size()) + " patches)";
}

} // namespace ts
