/* gaze_file_module.h: the C ABI between the vision core and the module that
 * decodes video files and images, libgaze-file-sources.so.
 *
 * Decoding files needs OpenCV's videoio and imgcodecs, and with them FFmpeg,
 * GStreamer, GDAL and some two hundred more libraries: about 54 MiB resident
 * in every process that maps them. A plugin reading a camera never decodes a
 * file, so the core leaves them out and loads this module with dlopen the
 * first time a file or folder source is opened (file_source_module.cpp), from
 * the directory of the binary that holds the core (the gaze plugin's
 * library, or a test or benchmark program).
 *
 * Not a public API: the core and the module are built and shipped together,
 * and the core refuses a module whose table has another size. The rules of
 * gaze_vision.h hold here: only C types cross, no exception escapes, a
 * failure is a negative gaze_status with its message in the gaze_error.
 */
#ifndef GAZE_FILE_MODULE_H
#define GAZE_FILE_MODULE_H

#include "gaze_vision.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GAZE_FILE_MODULE_FILE "libgaze-file-sources.so"
#define GAZE_FILE_MODULE_ENTRY "gaze_file_module_v1"

/* A video file or an image folder being read. */
typedef struct gaze_file_reader gaze_file_reader;

/* One decoded frame, 8-bit BGR. `data` belongs to the reader and stays
 * valid until its next read or close. */
typedef struct gaze_file_frame {
    const uint8_t *data;
    int32_t width;
    int32_t height;
    int32_t stride;           /* bytes per row */
    int64_t index;            /* from 0 */
    int64_t timestamp_ns;     /* presentation time */
} gaze_file_frame;

typedef struct gaze_file_reader_info {
    int32_t kind;             /* GAZE_SOURCE_VIDEO_FILE or GAZE_SOURCE_IMAGE_FOLDER */
    int32_t width;
    int32_t height;
    float fps;                /* 0 when unknown */
    int64_t frame_count;      /* -1 when unknown */
    char description[256];    /* NUL-terminated */
} gaze_file_reader_info;

typedef struct gaze_file_module {
    uint32_t struct_size;     /* sizeof(gaze_file_module) as the module was built */
    /* The errors gaze_source_open_video and gaze_source_open_image_folder document. */
    gaze_status (*open_video)(const char *path, gaze_file_reader **out_reader, gaze_error *error);
    gaze_status (*open_image_folder)(const char *path, gaze_file_reader **out_reader, gaze_error *error);
    /* GAZE_OK, GAZE_END_OF_STREAM (frame untouched) or an error. */
    gaze_status (*read)(gaze_file_reader *reader, gaze_file_frame *frame, gaze_error *error);
    void (*describe)(const gaze_file_reader *reader, gaze_file_reader_info *info);
    void (*close)(gaze_file_reader *reader);
} gaze_file_module;

/* What the module exports under GAZE_FILE_MODULE_ENTRY. */
typedef const gaze_file_module *(*gaze_file_module_entry)(void);

#ifdef __cplusplus
}
#endif

#endif /* GAZE_FILE_MODULE_H */
