// Video files and image folders, read through libgaze-file-sources.so
// (gaze_file_module.h), which is loaded the first time one is opened: a
// process that only reads a camera never maps the codec libraries.
#include "frame_source.hpp"
#include "gaze_file_module.h"
#include "vision_error.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>

namespace gaze {
namespace {

// The directory of the binary this code was linked into: the plugin's
// library, or the program itself when the core is linked into a test or
// benchmark (glibc then names it by argv[0], which may lack a directory).
std::string own_directory() {
    Dl_info info{};
    std::string path;
    if (dladdr(reinterpret_cast<void *>(&own_directory), &info) != 0 && info.dli_fname != nullptr) path = info.dli_fname;
    if (path.find('/') == std::string::npos) {
        char exe[PATH_MAX];
        const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        path = n > 0 ? std::string(exe, static_cast<size_t>(n)) : std::string();
    }
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

struct LoadedModule {
    const gaze_file_module *table = nullptr;
    std::string failure;  // why it could not be loaded, naming the path
};

LoadedModule load_module() {
    const std::string path = own_directory() + "/" GAZE_FILE_MODULE_FILE;
    // Never closed: FFmpeg and OpenCV keep global state that must outlive every reader.
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char *why = dlerror();
        return {nullptr, "file sources need " + path + ", which cannot be loaded (" + (why ? why : "unknown error") +
                             "): it is installed beside the gaze plugin's library"};
    }
    const auto entry = reinterpret_cast<gaze_file_module_entry>(dlsym(handle, GAZE_FILE_MODULE_ENTRY));
    const gaze_file_module *table = entry != nullptr ? entry() : nullptr;
    if (table == nullptr || table->struct_size != sizeof(gaze_file_module))
        return {nullptr, path + " is not the file module this gaze plugin was built with (no " GAZE_FILE_MODULE_ENTRY
                         " of the expected size): reinstall proctord"};
    return {table, ""};
}

// Loaded once per process, on first use; a failure is kept and reported to every opener.
const gaze_file_module &file_module() {
    static const LoadedModule loaded = load_module();
    if (loaded.table == nullptr) throw VisionError(GAZE_ERR_UNSUPPORTED, loaded.failure);
    return *loaded.table;
}

void throw_unless_ok(gaze_status status, const gaze_error &error) {
    if (status < 0) throw VisionError(status, error.message);
}

class ModuleFileSource final : public FrameSource {
public:
    ModuleFileSource(const gaze_file_module &module, gaze_file_reader *reader) : module_(module), reader_(reader) {}
    ~ModuleFileSource() override { module_.close(reader_); }
    ModuleFileSource(const ModuleFileSource &) = delete;
    ModuleFileSource &operator=(const ModuleFileSource &) = delete;

    bool read(SourceFrame &frame) override {
        gaze_file_frame decoded{};
        gaze_error error;
        gaze_error_init(&error);
        const gaze_status status = module_.read(reader_, &decoded, &error);
        if (status == GAZE_END_OF_STREAM) return false;
        throw_unless_ok(status, error);
        // A view of the module's frame, valid until the next read, as a source's frame is.
        frame.bgr = cv::Mat(decoded.height, decoded.width, CV_8UC3, const_cast<uint8_t *>(decoded.data),
                            static_cast<size_t>(decoded.stride));
        frame.index = decoded.index;
        frame.timestamp_ns = decoded.timestamp_ns;
        frame.dropped_before = 0;
        return true;
    }

    SourceDescription describe() const override {
        gaze_file_reader_info info{};
        module_.describe(reader_, &info);
        SourceDescription d;
        d.kind = static_cast<gaze_source_kind>(info.kind);
        d.width = info.width;
        d.height = info.height;
        d.fps = info.fps;
        d.frame_count = info.frame_count;
        d.text = info.description;
        return d;
    }

private:
    const gaze_file_module &module_;
    gaze_file_reader *reader_;
};

template <typename Open>
std::unique_ptr<FrameSource> open_through_module(const std::string &path, Open open) {
    const gaze_file_module &module = file_module();
    gaze_file_reader *reader = nullptr;
    gaze_error error;
    gaze_error_init(&error);
    throw_unless_ok(open(module, path.c_str(), &reader, &error), error);
    return std::make_unique<ModuleFileSource>(module, reader);
}

}  // namespace

std::unique_ptr<FrameSource> open_video_file(const std::string &path) {
    return open_through_module(path, [](const gaze_file_module &m, const char *p, gaze_file_reader **r, gaze_error *e) {
        return m.open_video(p, r, e);
    });
}

std::unique_ptr<FrameSource> open_image_folder(const std::string &path) {
    return open_through_module(path, [](const gaze_file_module &m, const char *p, gaze_file_reader **r, gaze_error *e) {
        return m.open_image_folder(p, r, e);
    });
}

}  // namespace gaze
