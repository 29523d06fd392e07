// Video files (OpenCV's FFmpeg backend) and folders of images (read in
// byte-wise sorted file-name order, so "frame_0002.png" < "frame_0010.png"
// when names are zero-padded, as frame dumps are).
#include "file_decoders.hpp"
#include "vision_error.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace gaze {
namespace {

namespace fs = std::filesystem;

void require_readable_file(const std::string &path) {
    std::error_code ec;
    if (path.empty() || !fs::exists(path, ec)) throw VisionError(GAZE_ERR_NOT_FOUND, "'" + path + "': no such file");
    if (fs::is_directory(path, ec)) throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "'" + path + "' is a folder, not a video file");
    FILE *probe = std::fopen(path.c_str(), "rb");
    if (probe == nullptr) {
        const gaze_status status = errno == EACCES ? GAZE_ERR_PERMISSION : GAZE_ERR_IO;
        throw VisionError(status, "'" + path + "': " + std::strerror(errno));
    }
    std::fclose(probe);
}

class VideoFileSource final : public FrameSource {
public:
    explicit VideoFileSource(const std::string &path) : path_(path) {
        require_readable_file(path);
        if (!capture_.open(path, cv::CAP_FFMPEG) || !capture_.isOpened())
            throw VisionError(GAZE_ERR_IO, "'" + path + "': FFmpeg cannot decode this file");
        fps_ = static_cast<float>(capture_.get(cv::CAP_PROP_FPS));
        frame_count_ = static_cast<int64_t>(capture_.get(cv::CAP_PROP_FRAME_COUNT));
        width_ = static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_WIDTH));
        height_ = static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_HEIGHT));
    }

    bool read(SourceFrame &frame) override {
        if (!capture_.read(frame.bgr) || frame.bgr.empty()) return false;
        frame.index = next_index_++;
        // The frame's place at the file's nominal rate: FFmpeg's position
        // (CAP_PROP_POS_MSEC) goes wrong on the last frames of some files.
        frame.timestamp_ns = fps_ > 0 ? static_cast<int64_t>(static_cast<double>(frame.index) * 1e9 / fps_)
                                      : static_cast<int64_t>(capture_.get(cv::CAP_PROP_POS_MSEC) * 1e6);
        frame.dropped_before = 0;
        return true;
    }

    SourceDescription describe() const override {
        SourceDescription d;
        d.kind = GAZE_SOURCE_VIDEO_FILE;
        d.width = width_;
        d.height = height_;
        d.fps = fps_;
        d.frame_count = frame_count_ > 0 ? frame_count_ : -1;
        d.text = path_ + " " + std::to_string(width_) + "x" + std::to_string(height_);
        return d;
    }

private:
    std::string path_;
    cv::VideoCapture capture_;
    float fps_ = 0;
    int64_t frame_count_ = -1;
    int width_ = 0, height_ = 0;
    int64_t next_index_ = 0;
};

bool is_image_name(const fs::path &p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char *known : {".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm", ".tif", ".tiff", ".webp"})
        if (ext == known) return true;
    return false;
}

class ImageFolderSource final : public FrameSource {
public:
    explicit ImageFolderSource(const std::string &path) : path_(path) {
        std::error_code ec;
        if (path.empty() || !fs::exists(path, ec)) throw VisionError(GAZE_ERR_NOT_FOUND, "'" + path + "': no such folder");
        if (!fs::is_directory(path, ec)) throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "'" + path + "' is not a folder");
        fs::directory_iterator it(path, ec);
        if (ec) throw VisionError(ec == std::errc::permission_denied ? GAZE_ERR_PERMISSION : GAZE_ERR_IO,
                                  "'" + path + "': " + ec.message());
        for (const auto &entry : it)
            if (entry.is_regular_file(ec) && is_image_name(entry.path())) files_.push_back(entry.path().string());
        if (files_.empty()) throw VisionError(GAZE_ERR_NOT_FOUND, "'" + path + "' holds no images");
        std::sort(files_.begin(), files_.end());
        const cv::Mat first = cv::imread(files_.front(), cv::IMREAD_COLOR);
        width_ = first.cols;
        height_ = first.rows;
    }

    bool read(SourceFrame &frame) override {
        if (next_ >= files_.size()) return false;
        const std::string &file = files_[next_];
        frame.bgr = cv::imread(file, cv::IMREAD_COLOR);
        if (frame.bgr.empty()) throw VisionError(GAZE_ERR_IO, "'" + file + "': cannot decode image");
        frame.index = static_cast<int64_t>(next_++);
        // Images carry no time: space them as a 30 fps camera would.
        frame.timestamp_ns = frame.index * 1000000000LL / 30;
        frame.dropped_before = 0;
        return true;
    }

    SourceDescription describe() const override {
        SourceDescription d;
        d.kind = GAZE_SOURCE_IMAGE_FOLDER;
        d.width = width_;
        d.height = height_;
        d.frame_count = static_cast<int64_t>(files_.size());
        d.text = path_ + " (" + std::to_string(files_.size()) + " images)";
        return d;
    }

private:
    std::string path_;
    std::vector<std::string> files_;
    size_t next_ = 0;
    int width_ = 0, height_ = 0;
};

}  // namespace

std::unique_ptr<FrameSource> decode_video_file(const std::string &path) {
    return std::make_unique<VideoFileSource>(path);
}

std::unique_ptr<FrameSource> decode_image_folder(const std::string &path) {
    return std::make_unique<ImageFolderSource>(path);
}

}  // namespace gaze
