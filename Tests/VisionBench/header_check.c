/* Compiled as strict C99 by `make check`: gaze_vision.h must stay plain C
 * (the Swift plugin imports it through clang as C). */
#include "gaze_vision.h"

#include <stdio.h>

int main(void) {
    gaze_error error;
    gaze_tracker_options options;
    gaze_source_options source_options;
    gaze_result result;
    gaze_camera_list *list = NULL;

    gaze_error_init(&error);
    gaze_tracker_options_init(&options);
    gaze_source_options_init(&source_options);
    result.struct_size = sizeof(result);
    if (gaze_camera_list_create(&list, &error) == GAZE_OK) {
        printf("%s: %u cameras\n", gaze_vision_version(), gaze_camera_list_count(list));
        gaze_camera_list_destroy(list);
    } else {
        printf("%s: %s\n", gaze_status_name(error.status), error.message);
    }
    return 0;
}
