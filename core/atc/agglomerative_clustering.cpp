#include "core/atc/agglomerative_clustering.h"

#include "core/util/error.h"

#include <algorithm>
#include <limits>
#include <tuple>

namespace ts {
namespace {

// The distance matrix as clusters join (Lance-Williams updates), with each active cluster's
// nearest active cluster cached (the lowest index on equal distances).
class ClusterDistances {
public:
    ClusterDistances(const std::vector<double>& d, int n, Linkage linkage)
        : m_d(d), m_n(n), m_linkage(linkage), m_active(static_cast<std::size_t>(n), 1), m_count(static_cast<std::size_t>(n), 1),
          m_nn(static_cast<std::size_t>(n), -1), m_nnd(static_cast<std::size_t>(n), 0)
    {
        for (int i = 0; i < n; ++i)
            nearest(i);
    }

    // The closest pair (lower index first): smallest distance, then lowest indices.
    std::pair<int, int> closest() const
    {
        int bi = -1;
        for (int i = 0; i < m_n; ++i) {
            if (!m_active[static_cast<std::size_t>(i)] || m_nn[static_cast<std::size_t>(i)] < 0)
                continue;
            if (bi < 0 || key(i) < key(bi))
                bi = i;
        }
        const int j = m_nn[static_cast<std::size_t>(bi)];
        return {std::min(bi, j), std::max(bi, j)};
    }

    // Joins b into a (a < b): a keeps its index, which is its cluster's first member.
    void join(int a, int b)
    {
        const double na = m_count[static_cast<std::size_t>(a)], nb = m_count[static_cast<std::size_t>(b)];
        m_active[static_cast<std::size_t>(b)] = 0;
        for (int k = 0; k < m_n; ++k) {
            if (!m_active[static_cast<std::size_t>(k)] || k == a)
                continue;
            const double da = at(a, k), db = at(b, k);
            double v = m_linkage == Linkage::Single ? std::min(da, db)
                       : m_linkage == Linkage::Complete ? std::max(da, db)
                                                        : (na * da + nb * db) / (na + nb);
            at(a, k) = v;
            at(k, a) = v;
        }
        m_count[static_cast<std::size_t>(a)] += m_count[static_cast<std::size_t>(b)];
        nearest(a);
        for (int k = 0; k < m_n; ++k) {
            if (!m_active[static_cast<std::size_t>(k)] || k == a)
                continue;
            const int nn = m_nn[static_cast<std::size_t>(k)];
            if (nn == a || nn == b)
                nearest(k);
            else if (at(k, a) < m_nnd[static_cast<std::size_t>(k)] || (at(k, a) == m_nnd[static_cast<std::size_t>(k)] && a < nn)) {
                m_nn[static_cast<std::size_t>(k)] = a;
                m_nnd[static_cast<std::size_t>(k)] = at(k, a);
            }
        }
    }

private:
    double& at(int i, int j) { return m_d[static_cast<std::size_t>(i) * static_cast<std::size_t>(m_n) + static_cast<std::size_t>(j)]; }
    std::tuple<double, int, int> key(int i) const
    {
        const int j = m_nn[static_cast<std::size_t>(i)];
        return {m_nnd[static_cast<std::size_t>(i)], std::min(i, j), std::max(i, j)};
    }
    void nearest(int i)
    {
        int best = -1;
        double bd = std::numeric_limits<double>::infinity();
        for (int j = 0; j < m_n; ++j) {
            if (j == i || !m_active[static_cast<std::size_t>(j)])
                continue;
            const double v = at(i, j);
            if (best < 0 || v < bd) {
                best = j;
                bd = v;
            }
        }
        m_nn[static_cast<std::size_t>(i)] = best;
        m_nnd[static_cast<std::size_t>(i)] = bd;
    }

    std::vector<double> m_d;
    int m_n;
    Linkage m_linkage;
    std::vector<char> m_active;
    std::vector<double> m_count;
    std::vector<int> m_nn;
    std::vector<double> m_nnd;
};

} // namespace

std::vector<int> agglomerativeClustering(const std::vector<double>& distance, int tokens, int clusters, Linkage linkage,
                                         std::vector<std::pair<int, int>>* merges)
{
    if (tokens < 1 || clusters < 1 || clusters > tokens
        || distance.size() != static_cast<std::size_t>(tokens) * static_cast<std::size_t>(tokens))
        throw Error("ATC: cannot cluster " + std::to_string(tokens) + " tokens into " + std::to_string(clusters));
    std::vector<int> root(static_cast<std::size_t>(tokens));
    for (int i = 0; i < tokens; ++i)
        root[static_cast<std::size_t>(i)] = i;
    ClusterDistances d(distance, tokens, linkage);
    for (int left = tokens; left > clusters; --left) {
        const auto [a, b] = d.closest();
        d.join(a, b);
        for (int& x : root)
            if (x == b)
                x = a;
        if (merges)
            merges->emplace_back(a, b);
    }
    // Number the clusters by first member: a cluster's root is its first member.
    std::vector<int> label(static_cast<std::size_t>(tokens), -1), out(static_cast<std::size_t>(tokens));
    int next = 0;
    for (int i = 0; i < tokens; ++i) {
        int& l = label[static_cast<std::size_t>(root[static_cast<std::size_t>(i)])];
        if (l < 0)
            l = next++;
        out[static_cast<std::size_t>(i)] = l;
    }
    return out;
}

Regrouping atcMerge(const torch::Tensor& keys, int r, Linkage linkage, int prefixTokens)
{
    const std::int64_t batch = keys.size(0), n = keys.size(2);
    const int t = static_cast<int>(n) - prefixTokens;
    r = std::max(0, std::min(r, t - 1));
    if (r == 0)
        return {};
    const torch::Tensor sim = nonPrefixSimilarity(keys, prefixTokens, "atc_distance");
    Regrouping g;
    g.tokens = static_cast<int>(n) - r;
    std::vector<double> distance(static_cast<std::size_t>(t) * static_cast<std::size_t>(t));
    for (std::int64_t b = 0; b < batch; ++b) {
        const float* s = sim.data_ptr<float>() + b * t * t;
        // From the upper triangle, so the matrix is exactly symmetric (scipy's condensed form).
        for (int i = 0; i < t; ++i)
            for (int j = i; j < t; ++j) {
                const double v = i == j ? 0.0 : 1.0 - static_cast<double>(s[i * t + j]);
                distance[static_cast<std::size_t>(i * t + j)] = v;
                distance[static_cast<std::size_t>(j * t + i)] = v;
            }
        const std::vector<int> label = agglomerativeClustering(distance, t, t - r, linkage);
        std::vector<int> target(static_cast<std::size_t>(n));
        for (int p = 0; p < prefixTokens; ++p)
            target[static_cast<std::size_t>(p)] = p;
        for (int i = 0; i < t; ++i)
            target[static_cast<std::size_t>(prefixTokens + i)] = prefixTokens + label[static_cast<std::size_t>(i)];
        g.target.push_back(std::move(target));
    }
    return g;
}

} // namespace ts
