// A V4L2 camera through libv4l2: libv4l2 negotiates BGR24 and converts from
// whatever the driver sends (YUYV, MJPEG, ...), we stream with mmap
// buffers and copy each dequeued frame out so the buffer goes straight back
// to the driver.
#include "frame_source.hpp"
#include "device_holders.hpp"
#include "v4l2_device.hpp"
#include "vision_error.hpp"

#include <libv4l2.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace gaze {
namespace {

int xioctl(int fd, unsigned long request, void *arg) {
    int r;
    do r = v4l2_ioctl(fd, request, arg);
    while (r == -1 && errno == EINTR);
    return r;
}

class V4L2CameraSource final : public FrameSource {
public:
    V4L2CameraSource(const std::string &path_or_name, const SourceSettings &settings)
        : path_(resolve_camera(path_or_name)), timeout_ms_(settings.timeout_ms) {
        fd_ = open_capture_device(path_, card_);
        try {
            negotiate(settings);
            start_streaming(settings.buffer_count);
        } catch (...) {
            release();
            throw;
        }
    }

    ~V4L2CameraSource() override { release(); }

    bool read(SourceFrame &frame) override {
        pollfd p{fd_, POLLIN, 0};
        int ready;
        do ready = poll(&p, 1, timeout_ms_);
        while (ready == -1 && errno == EINTR);
        if (ready == 0) throw VisionError(GAZE_ERR_TIMEOUT, path_ + ": no frame within " + std::to_string(timeout_ms_) + " ms");
        if (ready < 0 || (p.revents & (POLLERR | POLLHUP)))
            throw VisionError(GAZE_ERR_IO, path_ + ": camera stopped delivering (unplugged?)");
        v4l2_buffer buffer{};
        buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        buffer.memory = V4L2_MEMORY_MMAP;
        if (xioctl(fd_, VIDIOC_DQBUF, &buffer) != 0)
            throw VisionError(GAZE_ERR_IO, path_ + ": dequeue failed: " + std::strerror(errno));
        const cv::Mat view(height_, width_, CV_8UC3, buffers_[buffer.index].start, bytes_per_line_);
        view.copyTo(frame.bgr);
        if (xioctl(fd_, VIDIOC_QBUF, &buffer) != 0)
            throw VisionError(GAZE_ERR_IO, path_ + ": re-queue failed: " + std::strerror(errno));

        if (!have_sequence_) { first_sequence_ = buffer.sequence; have_sequence_ = true; last_sequence_ = buffer.sequence - 1; }
        frame.dropped_before = buffer.sequence - last_sequence_ - 1;
        last_sequence_ = buffer.sequence;
        frame.index = static_cast<int64_t>(buffer.sequence - first_sequence_);
        frame.timestamp_ns = static_cast<int64_t>(buffer.timestamp.tv_sec) * 1000000000LL + buffer.timestamp.tv_usec * 1000LL;
        return true;
    }

    SourceDescription describe() const override {
        SourceDescription d;
        d.kind = GAZE_SOURCE_CAMERA;
        d.width = width_;
        d.height = height_;
        d.fps = fps_;
        d.camera_fourcc = driver_fourcc_;
        d.text = path_ + " (" + card_ + ") " + std::to_string(width_) + "x" + std::to_string(height_) + " " +
                 fourcc_text(driver_fourcc_) + " " + std::to_string(static_cast<int>(fps_ + 0.5f)) + " fps";
        return d;
    }

private:
    void negotiate(const SourceSettings &settings) {
        v4l2_format format{};
        format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (xioctl(fd_, VIDIOC_G_FMT, &format) != 0)
            throw VisionError(GAZE_ERR_IO, path_ + ": cannot read the current format: " + std::strerror(errno));
        driver_fourcc_ = format.fmt.pix.pixelformat;
        if (settings.width > 0 && settings.height > 0) {
            format.fmt.pix.width = static_cast<uint32_t>(settings.width);
            format.fmt.pix.height = static_cast<uint32_t>(settings.height);
        }
        format.fmt.pix.pixelformat = V4L2_PIX_FMT_BGR24;  // libv4l2 converts into this
        format.fmt.pix.field = V4L2_FIELD_ANY;
        if (xioctl(fd_, VIDIOC_S_FMT, &format) != 0) {
            if (errno == EBUSY) throw VisionError(GAZE_ERR_BUSY, busy_text(path_, "cannot set the capture format"));
            throw VisionError(GAZE_ERR_UNSUPPORTED, path_ + ": cannot set the capture format: " + std::strerror(errno));
        }
        if (format.fmt.pix.pixelformat != V4L2_PIX_FMT_BGR24)
            throw VisionError(GAZE_ERR_UNSUPPORTED, path_ + ": no format libv4l2 can convert to BGR");
        width_ = static_cast<int>(format.fmt.pix.width);
        height_ = static_cast<int>(format.fmt.pix.height);
        bytes_per_line_ = std::max<size_t>(format.fmt.pix.bytesperline, static_cast<size_t>(width_) * 3);

        v4l2_streamparm parm{};
        parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (settings.fps > 0) {
            parm.parm.capture.timeperframe.numerator = 1000;
            parm.parm.capture.timeperframe.denominator = static_cast<uint32_t>(settings.fps * 1000 + 0.5f);
            xioctl(fd_, VIDIOC_S_PARM, &parm);  // a driver may refuse; we report what it runs at
        }
        if (xioctl(fd_, VIDIOC_G_PARM, &parm) == 0 && parm.parm.capture.timeperframe.numerator > 0)
            fps_ = static_cast<float>(parm.parm.capture.timeperframe.denominator) / parm.parm.capture.timeperframe.numerator;
    }

    void start_streaming(int count) {
        v4l2_requestbuffers request{};
        request.count = static_cast<uint32_t>(count);
        request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        request.memory = V4L2_MEMORY_MMAP;
        if (xioctl(fd_, VIDIOC_REQBUFS, &request) != 0 || request.count < 2) {
            if (errno == EBUSY) throw VisionError(GAZE_ERR_BUSY, busy_text(path_, "cannot request buffers"));
            throw VisionError(GAZE_ERR_UNSUPPORTED, path_ + ": mmap streaming not available");
        }
        for (uint32_t i = 0; i < request.count; ++i) {
            v4l2_buffer buffer{};
            buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            buffer.memory = V4L2_MEMORY_MMAP;
            buffer.index = i;
            if (xioctl(fd_, VIDIOC_QUERYBUF, &buffer) != 0)
                throw VisionError(GAZE_ERR_IO, path_ + ": cannot query buffer: " + std::strerror(errno));
            void *start = v4l2_mmap(nullptr, buffer.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, buffer.m.offset);
            if (start == MAP_FAILED) throw VisionError(GAZE_ERR_IO, path_ + ": mmap failed: " + std::strerror(errno));
            buffers_.push_back({start, buffer.length});
            if (xioctl(fd_, VIDIOC_QBUF, &buffer) != 0)
                throw VisionError(GAZE_ERR_IO, path_ + ": cannot queue buffer: " + std::strerror(errno));
        }
        v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (xioctl(fd_, VIDIOC_STREAMON, &type) != 0) {
            // ENOSPC: the USB bus has no bandwidth left, usually for another camera that streams.
            if (errno == EBUSY || errno == ENOSPC)
                throw VisionError(GAZE_ERR_BUSY, busy_text(path_, std::string("cannot start streaming: ") + std::strerror(errno)));
            throw VisionError(GAZE_ERR_IO, path_ + ": cannot start streaming: " + std::strerror(errno));
        }
        streaming_ = true;
    }

    void release() {
        if (fd_ < 0) return;
        if (streaming_) {
            v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            xioctl(fd_, VIDIOC_STREAMOFF, &type);
        }
        for (const auto &b : buffers_) v4l2_munmap(b.start, b.length);
        buffers_.clear();
        v4l2_close(fd_);
        fd_ = -1;
    }

    struct Mapped { void *start; size_t length; };
    std::string path_, card_;
    int timeout_ms_;
    int fd_ = -1;
    bool streaming_ = false;
    std::vector<Mapped> buffers_;
    int width_ = 0, height_ = 0;
    size_t bytes_per_line_ = 0;
    float fps_ = 0;
    uint32_t driver_fourcc_ = 0;
    bool have_sequence_ = false;
    uint32_t first_sequence_ = 0, last_sequence_ = 0;
};

}  // namespace

std::unique_ptr<FrameSource> open_v4l2_camera(const std::string &path_or_name, const SourceSettings &settings) {
    return std::make_unique<V4L2CameraSource>(path_or_name, settings);
}

}  // namespace gaze
