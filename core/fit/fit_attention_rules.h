#pragma once
// Who may attend to whom in FIT and FIT-AR, as plain functions for the mask lab (torch-free).
// The model (core/fit/fit_model.cpp) builds its attention biases from the same rules.
//
// Index spaces (t groups, n data tokens and m latents per group, all group-major):
//   data token   i = group * n + k     (k: raster position inside the g x g window)
//   latent       j = group * m + s
// Stages of one FIT block (pix2seq FIT.call / FITAR.call):
//   Local  : data  -> data     same group; FIT-AR: also key position <= query position
//   Read   : latent -> data    same group (the latents "read" their group; l2x_cross_attn)
//   Global : latent -> latent  all; FIT-AR: key group <= query group (get_chunk_ar_mask)
//   Write  : data  -> latent   same group; FIT-AR: the latents are shifted by one group, so data
//            of group i reads the latents of group i-1 and group 0 reads none (zeros in the code)
// Padding slots (see core/fit/grouping.h) are further excluded as keys of Local and Read.
#include <cstdint>

namespace ts {

enum class FitMaskStage { Local, Read, Global, Write };

struct FitMaskSpec {
    int groups = 1;          // t
    int tokensPerGroup = 1;  // n
    int latentsPerGroup = 1; // m
    bool autoregressive = false;
};

// Number of queries / keys of a stage.
std::int64_t fitQueryCount(const FitMaskSpec& spec, FitMaskStage stage);
std::int64_t fitKeyCount(const FitMaskSpec& spec, FitMaskStage stage);
// Whether query q may attend to key k in that stage (indices as above; out of range: false).
bool fitAllowed(const FitMaskSpec& spec, FitMaskStage stage, std::int64_t q, std::int64_t k);

// All four stages as one matrix over the sequence [data tokens (t*n) | latents (t*m)]:
// data->data is Local, latent->data Read, latent->latent Global, data->latent Write.
std::int64_t fitCombinedSize(const FitMaskSpec& spec);
bool fitCombinedAllowed(const FitMaskSpec& spec, std::int64_t q, std::int64_t k);

} // namespace ts
