#include "core/masks/attention_mask.h"

#include "core/util/error.h"

#include <algorithm>
#include <limits>

namespace ts {

const char* keyKindName(KeyKind kind)
{
    switch (kind) {
    case KeyKind::Token: return "token";
    case KeyKind::CurrentBlock: return "current block";
    case KeyKind::Memory: return "memory segment";
    case KeyKind::Fam: return "FAM";
    case KeyKind::Group: return "group";
    case KeyKind::Latent: return "latent";
    case KeyKind::Data: return "data";
    case KeyKind::SameToken: return "same merged token";
    }
    return "?";
}

std::string AttentionMask::describeQuery(std::int64_t position) const { return "token " + std::to_string(position); }

std::string AttentionMask::describeKey(std::int64_t position) const { return "token " + std::to_string(position); }

std::int64_t AttentionMask::dataTokensBefore(std::int64_t position, bool keyAxis) const
{
    const std::int64_t n = keyAxis ? keys() : queries(), data = dataLength();
    position = std::clamp<std::int64_t>(position, 0, n);
    if (n >= data || n <= 0)
        return std::min(position, data);
    return static_cast<std::int64_t>((static_cast<long double>(position) * data) / n);
}

std::int64_t AttentionMask::positionOfDataToken(std::int64_t token, bool keyAxis) const
{
    const std::int64_t n = keyAxis ? keys() : queries(), data = dataLength();
    token = std::clamp<std::int64_t>(token, 0, std::max<std::int64_t>(0, data - 1));
    if (n >= data || data <= 0)
        return token;
    return static_cast<std::int64_t>((static_cast<long double>(token) * n) / data);
}

std::int64_t countPairsByRows(const AttentionMask& mask)
{
    std::vector<KeyRange> row;
    std::int64_t total = 0;
    for (std::int64_t q = 0; q < mask.queries(); ++q) {
        mask.keyRanges(q, row);
        for (const KeyRange& r : row)
            total += r.size();
    }
    return total;
}

std::int64_t AttentionMask::allowedPairs() const { return countPairsByRows(*this); }

void AttentionMask::checkQuery(std::int64_t query) const
{
    if (query < 0 || query >= queries())
        throw Error("query " + std::to_string(query) + " is outside the mask (0.." + std::to_string(queries() - 1) + ")");
}

void AttentionMask::checkKey(std::int64_t key) const
{
    if (key < 0 || key >= keys())
        throw Error("key " + std::to_string(key) + " is outside the mask (0.." + std::to_string(keys() - 1) + ")");
}

bool AttentionMask::kindAt(std::int64_t query, std::int64_t key, KeyKind* kind) const
{
    checkQuery(query);
    checkKey(key);
    std::vector<KeyRange> row;
    keyRanges(query, row);
    // Rows are sorted: find the first range ending after the key.
    auto it = std::upper_bound(row.begin(), row.end(), key,
                               [](std::int64_t k, const KeyRange& r) { return k < r.end; });
    if (it == row.end() || key < it->begin)
        return false;
    if (kind)
        *kind = it->kind;
    return true;
}

bool AttentionMask::allowed(std::int64_t query, std::int64_t key) const { return kindAt(query, key, nullptr); }

std::int64_t AttentionMask::keysForQuery(std::int64_t query) const
{
    checkQuery(query);
    std::vector<KeyRange> row;
    keyRanges(query, row);
    std::int64_t n = 0;
    for (const KeyRange& r : row)
        n += r.size();
    return n;
}

KeyCountSummary AttentionMask::keyCountSummary() const
{
    KeyCountSummary s;
    s.min = std::numeric_limits<std::int64_t>::max();
    std::vector<KeyRange> row;
    long double total = 0;
    for (std::int64_t q = 0; q < queries(); ++q) {
        keyRanges(q, row);
        std::int64_t n = 0;
        for (const KeyRange& r : row)
            n += r.size();
        s.min = std::min(s.min, n);
        s.max = std::max(s.max, n);
        total += n;
    }
    if (queries() == 0)
        s.min = 0;
    s.mean = queries() > 0 ? static_cast<double>(total / queries()) : 0.0;
    return s;
}

} // namespace ts
