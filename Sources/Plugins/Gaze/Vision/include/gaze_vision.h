/* gaze_vision.h: the gaze plugin's native vision core, as a plain C API.
 *
 * One tracker turns camera frames into a face, 68 landmarks, a head pose,
 * the subject's two pupil centres, eye openness and gaze ratios. Frame
 * sources (cameras, video files, image folders) are in gaze_frame_source.h.
 *
 * Rules that hold for every function in this library:
 * - Only C types cross this boundary. No C++ exception escapes: a failure
 *   returns a negative gaze_status and, when the caller passed a
 *   gaze_error, a UTF-8 message saying what went wrong.
 * - Every struct that can grow starts with `uint32_t struct_size` and is
 *   append-only. The caller sets struct_size to sizeof() of the struct it
 *   was compiled against (the *_init functions do that); the library reads
 *   and writes only the fields that fit in that size.
 * - Structs without struct_size (gaze_point, gaze_box, gaze_eye) are frozen:
 *   their layout never changes. New per-eye data goes at the end of
 *   gaze_result instead.
 * - Pointers the caller passes in are borrowed for the duration of the
 *   call only, unless a function says otherwise. Handles returned through
 *   an out parameter belong to the caller, who frees them with the named
 *   destroy/close function.
 * - Coordinates are source-image pixels: x to the right, y down, the
 *   centre of the top-left pixel at (0, 0).
 * - "left" and "right" eye always mean the SUBJECT's left and right. In an
 *   unmirrored camera image the subject's left eye appears on the right
 *   side of the image; set gaze_tracker_options.mirrored for mirrored input.
 *
 * Threads: functions on different handles may run concurrently. One handle
 * is used by one thread at a time (the caller serialises). Functions that
 * take no handle are [thread-safe].
 */
#ifndef GAZE_VISION_H
#define GAZE_VISION_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this API. Minor grows when fields or functions are appended. */
#define GAZE_VISION_VERSION_MAJOR 0
#define GAZE_VISION_VERSION_MINOR 1

/* [thread-safe] Returns the library's version as "major.minor.patch" in a
 * static string the caller must not free; eg: "0.1.0". */
const char *gaze_vision_version(void);

/* [process-wide; call before creating trackers] How many threads OpenCV
 * may use inside one call (its global pool): 1 = everything on the calling
 * thread (what a plugin that owns its own threads wants), 0 = the same,
 * -1 = OpenCV's default (all cores). */
void gaze_vision_set_threads(int32_t threads);

/* ---------------------------------------------------------------------- */
/* Status and errors                                                       */
/* ---------------------------------------------------------------------- */

typedef enum gaze_status {
    GAZE_OK = 0,
    GAZE_END_OF_STREAM = 1,        /* a source has no more frames: not an error */
    GAZE_ERR_INVALID_ARGUMENT = -1,/* NULL handle, bad size, unknown format... */
    GAZE_ERR_MODEL = -2,           /* a model file is missing or unreadable */
    GAZE_ERR_NOT_FOUND = -3,       /* no such file, folder, device or camera name */
    GAZE_ERR_NO_DEVICE = -4,       /* no V4L2 capture device on this system */
    GAZE_ERR_NOT_CAPTURE_DEVICE = -5, /* the path is not a video capture device */
    GAZE_ERR_BUSY = -6,            /* the camera is in use by another program */
    GAZE_ERR_PERMISSION = -7,      /* the caller may not open the file or device */
    GAZE_ERR_IO = -8,              /* reading or decoding failed */
    GAZE_ERR_TIMEOUT = -9,         /* no frame arrived in time */
    GAZE_ERR_UNSUPPORTED = -10,    /* the device or file offers nothing usable */
    GAZE_ERR_BUFFER_TOO_SMALL = -11,/* a caller-provided buffer cannot hold the frame */
    GAZE_ERR_INTERNAL = -100       /* a bug or an unexpected library failure */
} gaze_status;

/* Filled by a failing call when the caller passes one; may be NULL.
 * Initialise with gaze_error_init(). On success it is left untouched. */
typedef struct gaze_error {
    uint32_t struct_size;
    int32_t status;       /* the gaze_status that was returned */
    char message[256];    /* UTF-8, NUL-terminated; eg: "/dev/video3: device busy" */
} gaze_error;

/* [thread-safe] Sets struct_size, status = GAZE_OK and an empty message. */
void gaze_error_init(gaze_error *error);

/* [thread-safe] Returns a static English name for a status; eg: "busy". */
const char *gaze_status_name(int32_t status);

/* ---------------------------------------------------------------------- */
/* Images passed in                                                         */
/* ---------------------------------------------------------------------- */

typedef enum gaze_pixel_format {
    GAZE_PIXEL_GRAY8 = 1,  /* one byte per pixel */
    GAZE_PIXEL_BGR24 = 2,  /* OpenCV's order: blue, green, red */
    GAZE_PIXEL_RGB24 = 3,
    GAZE_PIXEL_BGRA32 = 4
} gaze_pixel_format;

/* A view of pixels the caller owns; the library never keeps `data`. */
typedef struct gaze_image {
    uint32_t struct_size;
    uint32_t pixel_format;   /* a gaze_pixel_format */
    int32_t width;           /* pixels, > 0 */
    int32_t height;          /* pixels, > 0 */
    int32_t stride;          /* bytes from one row to the next, >= width * bytes per pixel */
    const uint8_t *data;     /* first byte of the top row */
} gaze_image;

/* ---------------------------------------------------------------------- */
/* Geometry (frozen layouts)                                                */
/* ---------------------------------------------------------------------- */

typedef struct gaze_point { float x, y; } gaze_point;
typedef struct gaze_box { float x, y, width, height; } gaze_box;

/* One eye of the subject. Frozen layout. */
typedef struct gaze_eye {
    int32_t pupil_found;      /* 1 when `pupil` holds a refined pupil centre this frame */
    gaze_point pupil;         /* sub-pixel pupil centre; (0, 0) when not found */
    float pupil_quality;      /* 0..1 confidence: how clearly the gradient method peaked, times
                                 how near the eye's middle; under 0.35 `pupil` has been blended
                                 toward the contour's middle in proportion (0 = exactly there) */
    float openness;           /* eye aspect ratio (lid distance / eye width), ~0.3 open, ~0.1 shut */
    int32_t closed;           /* 1 when openness is below the adaptive blink threshold (with
                                 hysteresis, so a reopening eye may be closed with a pupil found) */
    float horizontal_ratio;   /* valid when pupil_found. Pupil along the corner-to-corner axis:
                                 0 = at the corner toward
                                 the subject's right, 1 = toward the subject's left, ~0.5 ahead */
    float vertical_ratio;     /* pupil distance below the corner-to-corner line divided by the
                                 eye width: negative = up, positive = down, ~0 ahead */
    gaze_point outer_corner;  /* landmark of the eye's outer corner (temple side) */
    gaze_point inner_corner;  /* landmark of the eye's inner corner (nose side) */
    gaze_point contour_centre;/* mean of the six eye-contour landmarks (a coarse pupil guess) */
} gaze_eye;

/* ---------------------------------------------------------------------- */
/* Tracker                                                                  */
/* ---------------------------------------------------------------------- */

typedef struct gaze_tracker gaze_tracker;

typedef struct gaze_tracker_options {
    uint32_t struct_size;
    /* Path of dlib's 68-point shape predictor (required). Debian ships it as
     * /usr/share/dlib/shape_predictor_68_face_landmarks.dat; its authors ask
     * that it not be used commercially, so the caller always chooses it. */
    const char *landmark_model_path;
    /* Path of the YuNet 2023mar ONNX face detector. When NULL or empty the
     * Haar cascade below is used instead (slower, less accurate). */
    const char *face_detector_model_path;
    /* Path of an OpenCV Haar/LBP cascade, used only without YuNet; eg:
     * "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml". */
    const char *face_cascade_path;
    int32_t redetect_interval;   /* run the detector every N frames (default 10); tracking between */
    int32_t detection_width;     /* frames are scaled to this width before detection (default 320) */
    float detection_threshold;   /* minimum detector score, 0..1 (default 0.6) */
    int32_t mirrored;            /* 1 when the image is mirrored (a selfie view): swaps left/right */
    float closed_share;          /* closed when openness < this share of the eye's open baseline
                                    (default 0.6) */
    int32_t pupil_refinement;    /* 1 = gradient method (default), 0 = report the contour centre */
    /* A directory for the landmark model's flat form (dlib's float leaves,
     * about 66 MB; an int8 form of 18 MB exists but is not the default, see
     * docs/gaze-vision.md), made from the model file once and then mapped
     * read-only: clean pages, and dlib's parsing spared on every later start. The file is named after the model's path and remade
     * when the model's size or modification time changes. NULL or empty, or
     * a directory that cannot be written: the compact form is made in memory
     * on every creation. */
    const char *landmark_cache_dir;
} gaze_tracker_options;

/* [thread-safe] Fills `options` with struct_size and every default; the
 * model paths are left NULL. */
void gaze_tracker_options_init(gaze_tracker_options *options);

/* [thread-safe] Creates a tracker. Loads the models named in `options`
 * (the strings are copied; the caller keeps ownership). On success stores
 * a new handle in *out_tracker that the caller frees with
 * gaze_tracker_destroy(). Fails with GAZE_ERR_MODEL when a model is
 * missing or unreadable. */
gaze_status gaze_tracker_create(const gaze_tracker_options *options, gaze_tracker **out_tracker,
                                gaze_error *error);

/* Everything the tracker saw in one frame. Append-only. */
#define GAZE_MAX_LANDMARKS 68
typedef struct gaze_result {
    uint32_t struct_size;
    int64_t frame_index;      /* copied from the gaze_tracker_process() argument */
    int32_t face_count;       /* faces at the last detection (0, 1, several) */
    int32_t face_found;       /* 1 when `face`, landmarks and the fields below are valid */
    gaze_box face;            /* the main face (the largest, or the one being tracked) */
    int32_t detection_ran;    /* 1 when the detector ran on this frame, 0 when tracked */
    int32_t landmark_count;   /* 68 when a face was found, else 0 */
    gaze_point landmarks[GAZE_MAX_LANDMARKS]; /* iBUG 300-W order (jaw 0-16, brows 17-26,
                                 nose 27-35, eyes 36-47, mouth 48-67), image coordinates */
    int32_t head_pose_found;  /* 1 when yaw/pitch/roll are valid */
    float yaw;                /* degrees; positive = the subject turns to their left */
    float pitch;              /* degrees; positive = the subject looks up */
    float roll;               /* degrees; positive = the head tilts toward the subject's left shoulder */
    gaze_eye left;            /* the subject's left eye */
    gaze_eye right;           /* the subject's right eye */
    float horizontal_ratio;   /* mean over eyes with a pupil; -1 when none */
    float vertical_ratio;     /* mean over eyes with a pupil; 0 when none */
    float confidence;         /* 0..1: detector score x appearance similarity since the last
                                 detection x (eyes with a pupil / 2) x (0.5 + 0.5 x mean quality) */
} gaze_result;

/* [one thread per tracker] Processes one frame. `image` is read during the
 * call only. `frame_index` is the frame's index in its source (from 0) and
 * is copied to the result; a jump backwards resets tracking. The caller
 * sets result->struct_size (eg: sizeof(gaze_result)); the tracker fills
 * the fields that fit. A frame without a face is GAZE_OK with
 * face_found = 0. */
gaze_status gaze_tracker_process(gaze_tracker *tracker, const gaze_image *image, int64_t frame_index,
                                 gaze_result *result, gaze_error *error);

/* [one thread per tracker] Forgets the tracked face and blink baselines, so
 * the next frame runs the detector; eg: after switching sources. */
void gaze_tracker_reset(gaze_tracker *tracker);

/* [one thread per tracker] Frees the tracker. NULL is allowed. */
void gaze_tracker_destroy(gaze_tracker *tracker);

#ifdef __cplusplus
}
#endif

#include "gaze_frame_source.h"

#endif /* GAZE_VISION_H */
