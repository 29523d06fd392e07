// dlib's shape predictor file -> our compact bytes, and the view of them.
#include "landmark_forest.hpp"
#include "vision_error.hpp"

// Debian's dlib is configured with BLAS and LAPACK; we use only its
// deserialisation, which needs neither. Let dlib's guarded headers read
// its config first, then switch the bindings off before the matrix code is
// seen, so users of this library need not link BLAS, LAPACK or libdlib.
#include <dlib/assert.h>
#include <dlib/test_for_odr_violations.h>
#undef DLIB_USE_BLAS
#undef DLIB_USE_LAPACK
#include <dlib/image_processing/shape_predictor.h>

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

namespace gaze {

namespace {

constexpr char kMagic[8] = {'G', 'Z', 'L', 'M', 'F', 'O', 'R', '1'};

// Bytes of each section of one level; the writer and the reader both walk
// the payload with these, so they cannot disagree.
struct LevelSizes {
    size_t anchors, deltas, splits, scales, leaves;
    size_t total() const { return anchors + deltas + splits + scales + leaves; }
};

LevelSizes level_sizes(const ForestHeader &h) {
    const size_t leaf_count = static_cast<size_t>(h.trees) * (h.splits_per_tree + 1);
    const bool scaled = h.precision != static_cast<uint32_t>(LeafPrecision::float32);
    return {h.features * sizeof(uint32_t), h.features * 2 * sizeof(float),
            static_cast<size_t>(h.trees) * h.splits_per_tree * sizeof(ForestSplit),
            scaled ? leaf_count * sizeof(float) : 0, leaf_count * kForestValues * (h.precision / 8)};
}

template <typename T> void append(std::vector<uint8_t> &out, const T *values, size_t count) {
    const auto *bytes = reinterpret_cast<const uint8_t *>(values);
    out.insert(out.end(), bytes, bytes + count * sizeof(T));
}

// One leaf's 136 values as integer steps of max|value| / (the type's
// largest): the rounding error is at most half a step, of the leaf's largest
// value 0.4 % in int8, 0.0015 % in int16.
template <typename Step> void append_scaled_leaf(std::vector<float> &scales, std::vector<uint8_t> &out, const float *values) {
    const float top = std::numeric_limits<Step>::max();
    float largest = 0;
    for (int k = 0; k < kForestValues; ++k) largest = std::max(largest, std::abs(values[k]));
    const float scale = largest / top;
    scales.push_back(scale);
    for (int k = 0; k < kForestValues; ++k) {
        const Step step = scale > 0 ? static_cast<Step>(std::lrint(std::clamp(values[k] / scale, -top, top))) : 0;
        append(out, &step, 1);
    }
}

}  // namespace

uint64_t forest_checksum(const uint8_t *bytes, size_t size) {
    constexpr uint64_t kPrime = 0x100000001b3ULL;
    uint64_t hash = 0xcbf29ce484222325ULL;
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t word;
        std::memcpy(&word, bytes + i, 8);
        hash = (hash ^ word) * kPrime;
    }
    for (; i < size; ++i) hash = (hash ^ bytes[i]) * kPrime;
    return hash;
}

std::vector<uint8_t> encode_dlib_model(const std::string &path, LeafPrecision precision) {
    struct stat info {};
    std::ifstream in(path, std::ios::binary);
    if (path.empty() || !in || stat(path.c_str(), &info) != 0)
        throw VisionError(GAZE_ERR_MODEL, "cannot open landmark model '" + path + "'");
    // The same fields, in the same order, as dlib's shape_predictor serialiser.
    int version = 0;
    dlib::matrix<float, 0, 1> initial;
    std::vector<std::vector<dlib::impl::regression_tree>> forests;
    std::vector<std::vector<unsigned long>> anchors;
    std::vector<std::vector<dlib::vector<float, 2>>> deltas;
    try {
        dlib::deserialize(version, in);
        dlib::deserialize(initial, in);
        dlib::deserialize(forests, in);
        dlib::deserialize(anchors, in);
        dlib::deserialize(deltas, in);
    } catch (const std::exception &e) {
        throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' is not a dlib shape predictor: " + e.what());
    }
    if (version != 1 || initial.size() != kForestValues || forests.empty() || forests.size() != anchors.size() ||
        forests.size() != deltas.size() || forests[0].empty())
        throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' is not a 68-point dlib shape predictor");

    ForestHeader h{};
    std::memcpy(h.magic, kMagic, sizeof(kMagic));
    h.precision = static_cast<uint32_t>(precision);
    h.points = kForestPoints;
    h.levels = static_cast<uint32_t>(forests.size());
    h.trees = static_cast<uint32_t>(forests[0].size());
    h.splits_per_tree = static_cast<uint32_t>(forests[0][0].splits.size());
    h.features = static_cast<uint32_t>(anchors[0].size());
    h.source_size = static_cast<uint64_t>(info.st_size);
    h.source_mtime_ns = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;

    std::vector<uint8_t> out(sizeof(ForestHeader));
    out.reserve(sizeof(ForestHeader) + kForestValues * sizeof(float) + h.levels * level_sizes(h).total());
    append(out, &initial(0), kForestValues);
    const auto corrupt = [&] { return VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' is corrupt"); };
    for (size_t l = 0; l < forests.size(); ++l) {
        if (forests[l].size() != h.trees || anchors[l].size() != h.features || deltas[l].size() != h.features)
            throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' has levels of uneven size");
        std::vector<uint32_t> level_anchors;
        std::vector<float> level_deltas;
        for (size_t i = 0; i < h.features; ++i) {
            if (anchors[l][i] >= kForestPoints) throw corrupt();
            level_anchors.push_back(static_cast<uint32_t>(anchors[l][i]));
            level_deltas.push_back(deltas[l][i].x());
            level_deltas.push_back(deltas[l][i].y());
        }
        std::vector<ForestSplit> splits;
        std::vector<float> scales;
        std::vector<uint8_t> leaves;
        for (const auto &tree : forests[l]) {
            if (tree.splits.size() != h.splits_per_tree || tree.leaf_values.size() != h.splits_per_tree + 1)
                throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' has trees of uneven depth");
            for (const auto &s : tree.splits) {
                if (s.idx1 >= h.features || s.idx2 >= h.features) throw corrupt();
                splits.push_back({static_cast<uint16_t>(s.idx1), static_cast<uint16_t>(s.idx2), s.thresh});
            }
            for (const auto &leaf : tree.leaf_values) {
                if (leaf.size() != kForestValues) throw corrupt();
                switch (precision) {
                case LeafPrecision::int8: append_scaled_leaf<int8_t>(scales, leaves, &leaf(0)); break;
                case LeafPrecision::int16: append_scaled_leaf<int16_t>(scales, leaves, &leaf(0)); break;
                case LeafPrecision::float32: append(leaves, &leaf(0), kForestValues); break;
                }
            }
        }
        append(out, level_anchors.data(), level_anchors.size());
        append(out, level_deltas.data(), level_deltas.size());
        append(out, splits.data(), splits.size());
        append(out, scales.data(), scales.size());
        append(out, leaves.data(), leaves.size());
    }
    h.payload_size = out.size() - sizeof(ForestHeader);
    h.payload_checksum = forest_checksum(out.data() + sizeof(ForestHeader), h.payload_size);
    std::memcpy(out.data(), &h, sizeof(h));
    return out;
}

bool view_forest(const uint8_t *bytes, size_t size, LandmarkForest &forest) {
    if (size < sizeof(ForestHeader)) return false;
    ForestHeader h;
    std::memcpy(&h, bytes, sizeof(h));
    if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0 || h.points != kForestPoints ||
        (h.precision != static_cast<uint32_t>(LeafPrecision::int8) &&
         h.precision != static_cast<uint32_t>(LeafPrecision::int16) &&
         h.precision != static_cast<uint32_t>(LeafPrecision::float32)) ||
        h.levels == 0 || h.levels > 100 || h.trees == 0 || h.trees > 100000 || h.splits_per_tree == 0 ||
        h.splits_per_tree > 1023 || h.features == 0 || h.features > 65535)
        return false;
    const LevelSizes sizes = level_sizes(h);
    if (h.payload_size != size - sizeof(ForestHeader) ||
        h.payload_size != kForestValues * sizeof(float) + h.levels * sizes.total() ||
        forest_checksum(bytes + sizeof(ForestHeader), h.payload_size) != h.payload_checksum)
        return false;

    forest.header = h;
    const uint8_t *at = bytes + sizeof(ForestHeader);
    forest.initial_shape = reinterpret_cast<const float *>(at);
    at += kForestValues * sizeof(float);
    forest.levels.clear();
    for (uint32_t l = 0; l < h.levels; ++l) {
        ForestLevel level{};
        level.anchors = reinterpret_cast<const uint32_t *>(at);
        level.deltas = reinterpret_cast<const float *>(at + sizes.anchors);
        level.splits = reinterpret_cast<const ForestSplit *>(at + sizes.anchors + sizes.deltas);
        level.leaf_scales = sizes.scales ? reinterpret_cast<const float *>(at + sizes.anchors + sizes.deltas + sizes.splits) : nullptr;
        level.leaves = at + sizes.anchors + sizes.deltas + sizes.splits + sizes.scales;
        // A checksum is no proof against a file made to lie: indices are checked too.
        for (uint32_t i = 0; i < h.features; ++i)
            if (level.anchors[i] >= kForestPoints) return false;
        for (size_t s = 0; s < static_cast<size_t>(h.trees) * h.splits_per_tree; ++s)
            if (level.splits[s].a >= h.features || level.splits[s].b >= h.features) return false;
        forest.levels.push_back(level);
        at += sizes.total();
    }
    return true;
}

}  // namespace gaze
