// YuNet (2023mar) run through cv::dnn with a decoder of our own: OpenCV
// 4.6's FaceDetectorYN expects the older output layout and rejects this
// model. The network predicts, on three feature maps (strides 8, 16, 32),
// one anchor-free candidate per cell: class and objectness scores, a box
// offset/size, and five keypoints (unused here; landmarks come later).
#include "face_detector.hpp"
#include "landmark_model.hpp"
#include "vision_error.hpp"

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace gaze {
namespace {

constexpr int kStrides[3] = {8, 16, 32};
constexpr int kInputAlignment = 32;  // the largest stride: input sides must be multiples

class YuNetDetector final : public FaceDetector {
public:
    YuNetDetector(const std::string &path, DetectorSettings settings) : settings_(settings) {
        try {
            net_ = cv::dnn::readNetFromONNX(path);
        } catch (const cv::Exception &e) {
            throw VisionError(GAZE_ERR_MODEL, "cannot load YuNet model " + path + ": " + e.what());
        }
        if (net_.empty()) throw VisionError(GAZE_ERR_MODEL, "cannot load YuNet model " + path);
        net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        for (int stride : kStrides) {
            const std::string s = std::to_string(stride);
            for (const char *head : {"cls_", "obj_", "bbox_"}) output_names_.push_back(head + s);
        }
    }

    std::vector<DetectedFace> detect(const cv::Mat &frame) override {
        const float scale = downscale_for_detection(frame, settings_.working_width, scaled_);
        drop_borrowed(colour_);
        if (scaled_.channels() == 1) cv::cvtColor(scaled_, colour_, cv::COLOR_GRAY2BGR);
        else colour_ = scaled_;
        // Pad to a multiple of the largest stride; the padding is black.
        const int w = (colour_.cols + kInputAlignment - 1) / kInputAlignment * kInputAlignment;
        const int h = (colour_.rows + kInputAlignment - 1) / kInputAlignment * kInputAlignment;
        cv::copyMakeBorder(colour_, padded_, 0, h - colour_.rows, 0, w - colour_.cols,
                           cv::BORDER_CONSTANT, cv::Scalar::all(0));
        cv::dnn::blobFromImage(padded_, blob_);  // raw 0..255 BGR, NCHW, as YuNet was trained
        net_.setInput(blob_);
        net_.forward(outputs_, output_names_);

        std::vector<DetectedFace> faces;
        for (int level = 0; level < 3; ++level) {
            decode_level(kStrides[level], w / kStrides[level], outputs_[level * 3], outputs_[level * 3 + 1],
                         outputs_[level * 3 + 2], scale, faces);
        }
        return suppress_overlaps(std::move(faces), 0.3f);
    }

    cv::Rect2f landmark_box(const cv::Rect2f &box) const override { return dlib_box_from_yunet_box(box); }

private:
    void decode_level(int stride, int columns, const cv::Mat &cls, const cv::Mat &obj, const cv::Mat &bbox,
                      float scale, std::vector<DetectedFace> &faces) const {
        const int cells = static_cast<int>(cls.total());
        const float *c = cls.ptr<float>();
        const float *o = obj.ptr<float>();
        const float *b = bbox.ptr<float>();
        for (int i = 0; i < cells; ++i) {
            // The trained score is the geometric mean of class and objectness.
            const float score = std::sqrt(std::clamp(c[i], 0.f, 1.f) * std::clamp(o[i], 0.f, 1.f));
            if (score < settings_.score_threshold) continue;
            const float col = static_cast<float>(i % columns), row = static_cast<float>(i / columns);
            const float cx = (col + b[i * 4 + 0]) * stride, cy = (row + b[i * 4 + 1]) * stride;
            const float bw = std::exp(b[i * 4 + 2]) * stride, bh = std::exp(b[i * 4 + 3]) * stride;
            faces.push_back({cv::Rect2f((cx - bw / 2) * scale, (cy - bh / 2) * scale, bw * scale, bh * scale), score});
        }
    }

    DetectorSettings settings_;
    cv::dnn::Net net_;
    std::vector<std::string> output_names_;
    std::vector<cv::Mat> outputs_;
    cv::Mat scaled_, colour_, padded_, blob_;  // reused between frames
};

}  // namespace

std::unique_ptr<FaceDetector> make_yunet_detector(const std::string &onnx_path, DetectorSettings settings) {
    return std::make_unique<YuNetDetector>(onnx_path, settings);
}

}  // namespace gaze
