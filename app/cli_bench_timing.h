#pragma once
// Timing helpers shared by the `tokenscope bench` commands.
#include <algorithm>
#include <chrono>
#include <vector>

namespace ts::cli {

inline double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// Median wall time in seconds of `repeats` calls of `run`, after `warmups` untimed ones.
template <typename F>
double medianSeconds(int repeats, int warmups, F&& run)
{
    for (int i = 0; i < warmups; ++i)
        run();
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        run();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return median(times);
}

} // namespace ts::cli
