/* gaze_frame_source.h: where frames come from. Part of gaze_vision.h (it
 * includes this file); the rules stated there hold here too.
 *
 * Three kinds of source share one handle type and one read function:
 * - V4L2 cameras through libv4l2 (mmap streaming, any driver format
 *   converted to BGR by libv4lconvert);
 * - video files through OpenCV's FFmpeg backend;
 * - folders of images (png, jpg, jpeg, bmp, ppm, pgm, tif, tiff, webp),
 *   read in byte-wise sorted file-name order.
 * Files and folders are decoded by libgaze-file-sources.so, which the
 * library loads from the directory of the binary it is linked into the
 * first time one is opened: a process reading only a camera never maps
 * the decoders. Without that file, opening one is GAZE_ERR_UNSUPPORTED
 * with a message naming the path looked at.
 * A frame's index in its source starts at 0 and grows by one per frame the
 * source produced (for cameras, frames the driver dropped are counted in
 * gaze_frame.dropped_before and skipped in the index too).
 *
 * Threads: one thread at a time per source handle. Enumeration
 * (gaze_camera_list_create) is [thread-safe].
 */
#ifndef GAZE_FRAME_SOURCE_H
#define GAZE_FRAME_SOURCE_H

#include "gaze_vision.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Camera enumeration                                                       */
/* ---------------------------------------------------------------------- */

/* A snapshot of the V4L2 capture devices present when it was made. */
typedef struct gaze_camera_list gaze_camera_list;

/* One capture format a camera offers at one size. Frozen layout. */
typedef struct gaze_camera_format {
    uint32_t fourcc;    /* V4L2 pixel format; eg: 'YUYV' = 0x56595559, 'MJPG' */
    char fourcc_text[8];/* the same as text, NUL-terminated; eg: "YUYV" */
    int32_t width;      /* pixels */
    int32_t height;     /* pixels */
    float max_fps;      /* the highest frame rate the driver lists for this size; 0 if unknown */
} gaze_camera_format;

typedef struct gaze_camera_info {
    uint32_t struct_size;
    char path[64];      /* eg: "/dev/video0" */
    char name[128];     /* the driver's card name; eg: "Integrated Camera: Integrated C" */
    char driver[32];    /* eg: "uvcvideo" */
    char bus[64];       /* eg: "usb-0000:00:14.0-8"; lets a page tell two equal cameras apart */
    uint32_t format_count; /* entries readable with gaze_camera_list_format() */
} gaze_camera_info;

/* [thread-safe] Scans /dev/video* and keeps the devices that can capture
 * video. A system without cameras is not an error: the list is empty.
 * Stores a new list in *out_list that the caller frees with
 * gaze_camera_list_destroy(). Fails only for unexpected errors. */
gaze_status gaze_camera_list_create(gaze_camera_list **out_list, gaze_error *error);

/* Number of cameras in the list. */
uint32_t gaze_camera_list_count(const gaze_camera_list *list);

/* Copies camera `index` into *info (the caller sets info->struct_size).
 * GAZE_ERR_INVALID_ARGUMENT when index >= count. */
gaze_status gaze_camera_list_get(const gaze_camera_list *list, uint32_t index, gaze_camera_info *info,
                                 gaze_error *error);

/* Copies format `format_index` of camera `index` into *format. */
gaze_status gaze_camera_list_format(const gaze_camera_list *list, uint32_t index, uint32_t format_index,
                                    gaze_camera_format *format, gaze_error *error);

/* Frees the list. NULL is allowed. */
void gaze_camera_list_destroy(gaze_camera_list *list);

/* Names the processes other than this one that have `path` open, as far as
 * /proc shows this user ("zoom (pid 4242), obs (pid 977)", at most three,
 * then ", ..."), into `buffer` of `size` bytes, NUL-terminated and cut to
 * fit. Empty when none is visible. What a busy camera's error names.
 * GAZE_ERR_INVALID_ARGUMENT for NULL arguments or a size of 0. [thread-safe] */
gaze_status gaze_device_holders(const char *path, char *buffer, size_t size, gaze_error *error);

/* ---------------------------------------------------------------------- */
/* Sources                                                                  */
/* ---------------------------------------------------------------------- */

typedef struct gaze_source gaze_source;

typedef enum gaze_source_kind {
    GAZE_SOURCE_CAMERA = 1,
    GAZE_SOURCE_VIDEO_FILE = 2,
    GAZE_SOURCE_IMAGE_FOLDER = 3
} gaze_source_kind;

typedef struct gaze_source_options {
    uint32_t struct_size;
    int32_t width;            /* camera: requested width, 0 = the driver's current; files: ignored */
    int32_t height;           /* camera: requested height, 0 = the driver's current */
    float fps;                /* camera: requested frame rate, 0 = the driver's current */
    int32_t flip_horizontal;  /* 1 = mirror every frame left-right (eg: to test mirrored input) */
    uint32_t pixel_format;    /* GAZE_PIXEL_BGR24 (default) or GAZE_PIXEL_GRAY8 */
    int32_t buffer_count;     /* camera: mmap buffers to queue (default 4, 2..16) */
    int32_t timeout_ms;       /* camera: how long a read waits for a frame (default 2000) */
} gaze_source_options;

/* [thread-safe] Fills every default and struct_size. */
void gaze_source_options_init(gaze_source_options *options);

/* Opens a V4L2 camera by device path ("/dev/video0") or by the name a
 * gaze_camera_info reports (first exact match, then first substring match).
 * Negotiates size, rate and format and starts mmap streaming. Errors:
 * GAZE_ERR_NO_DEVICE (no cameras at all when opening by name),
 * GAZE_ERR_NOT_FOUND (no such path or name), GAZE_ERR_NOT_CAPTURE_DEVICE,
 * GAZE_ERR_BUSY (another program streams from it), GAZE_ERR_PERMISSION.
 * `options` may be NULL for defaults. On success *out_source belongs to
 * the caller (gaze_source_close()). */
gaze_status gaze_source_open_camera(const char *path_or_name, const gaze_source_options *options,
                                    gaze_source **out_source, gaze_error *error);

/* Opens a video file (anything OpenCV's FFmpeg backend reads: mp4, mov,
 * avi, mkv...). GAZE_ERR_NOT_FOUND when the file does not exist,
 * GAZE_ERR_IO when it cannot be decoded. */
gaze_status gaze_source_open_video(const char *path, const gaze_source_options *options,
                                   gaze_source **out_source, gaze_error *error);

/* Opens a folder of images, read in sorted file-name order. Files that are
 * not images by extension are skipped; a folder with none is
 * GAZE_ERR_NOT_FOUND. Images may differ in size. */
gaze_status gaze_source_open_image_folder(const char *path, const gaze_source_options *options,
                                          gaze_source **out_source, gaze_error *error);

typedef struct gaze_source_info {
    uint32_t struct_size;
    int32_t kind;             /* a gaze_source_kind */
    int32_t width;            /* frame size as delivered (cameras: negotiated; folders: first image) */
    int32_t height;
    float fps;                /* frames per second; 0 when unknown (folders) */
    int64_t frame_count;      /* frames in a file or folder; -1 for cameras or when unknown */
    uint32_t camera_fourcc;   /* camera: the format the driver delivers before conversion */
    char description[256];    /* eg: "/dev/video0 (Integrated Camera) 640x480 YUYV 30 fps" */
} gaze_source_info;

/* Copies what the source is into *info (the caller sets struct_size). */
gaze_status gaze_source_get_info(const gaze_source *source, gaze_source_info *info, gaze_error *error);

/* One frame as read. The pixels are a gaze_image-compatible view. */
typedef struct gaze_frame {
    uint32_t struct_size;
    int64_t index;            /* the frame's index in its source, from 0 */
    int64_t timestamp_ns;     /* camera: capture time (CLOCK_MONOTONIC); files: presentation time */
    uint32_t dropped_before;  /* camera: frames the driver dropped just before this one */
    uint32_t pixel_format;    /* a gaze_pixel_format */
    int32_t width;
    int32_t height;
    int32_t stride;           /* bytes per row */
    const uint8_t *data;      /* see the read functions for who owns it */
} gaze_frame;

/* [one thread per source] Reads the next frame into a buffer the source
 * owns: frame->data stays valid until the next read or close on this
 * source. Returns GAZE_END_OF_STREAM (frame untouched) when a file or
 * folder is exhausted, GAZE_ERR_TIMEOUT when a camera sends nothing within
 * timeout_ms. */
gaze_status gaze_source_read(gaze_source *source, gaze_frame *frame, gaze_error *error);

/* [one thread per source] Like gaze_source_read() but copies the pixels
 * into `buffer` (caller-owned, `buffer_size` bytes, rows `stride` bytes
 * apart; stride 0 means tightly packed). frame->data then points into
 * `buffer`. GAZE_ERR_BUFFER_TOO_SMALL (nothing consumed: the same frame is
 * returned by the next read) when it does not fit; frame->width, height
 * and stride then say what is needed. */
gaze_status gaze_source_read_into(gaze_source *source, uint8_t *buffer, size_t buffer_size, int32_t stride,
                                  gaze_frame *frame, gaze_error *error);

/* Stops streaming, releases the device or file and frees the source.
 * NULL is allowed. */
void gaze_source_close(gaze_source *source);

#ifdef __cplusplus
}
#endif

#endif /* GAZE_FRAME_SOURCE_H */
