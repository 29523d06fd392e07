/* A clipboard owner for the Wayland tests that writes the way most
 * applications do: plain write(2) calls on the pipe as it was handed over,
 * giving up on the first error. (wl-copy clears O_NONBLOCK on the pipe first,
 * so it cannot show how an owner fares with a non-blocking write end.)
 *
 * Usage: wayland-test-owner FILE MIME-TYPE — offers FILE's bytes as the
 * clipboard on $WAYLAND_DISPLAY through wlr-data-control until another
 * client takes the clipboard. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-client.h>

#include "../../../Sources/Plugins/WaylandShim/generated/wlr-data-control-unstable-v1-client-protocol.h"

static struct wl_seat *seat;
static struct zwlr_data_control_manager_v1 *manager;
static const char *path;
static int running = 1;

static void global(void *data, struct wl_registry *registry, uint32_t name, const char *interface, uint32_t version) {
    if (strcmp(interface, wl_seat_interface.name) == 0 && !seat)
        seat = wl_registry_bind(registry, name, &wl_seat_interface, 1);
    else if (strcmp(interface, zwlr_data_control_manager_v1_interface.name) == 0)
        manager = wl_registry_bind(registry, name, &zwlr_data_control_manager_v1_interface, 1);
}

static void global_remove(void *data, struct wl_registry *registry, uint32_t name) {}

static const struct wl_registry_listener registry_listener = {.global = global, .global_remove = global_remove};

static void send(void *data, struct zwlr_data_control_source_v1 *source, const char *mime_type, int fd) {
    int file = open(path, O_RDONLY);
    char buffer[131072];
    ssize_t count;
    while (file >= 0 && (count = read(file, buffer, sizeof buffer)) > 0) {
        for (ssize_t done = 0; done < count;) {
            ssize_t wrote = write(fd, buffer + done, count - done);
            if (wrote < 0) {
                fprintf(stderr, "wayland-test-owner: write: %s\n", strerror(errno));
                goto out;
            }
            done += wrote;
        }
    }
out:
    if (file >= 0) close(file);
    close(fd);
}

static void cancelled(void *data, struct zwlr_data_control_source_v1 *source) { running = 0; }

static const struct zwlr_data_control_source_v1_listener source_listener = {.send = send, .cancelled = cancelled};

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: wayland-test-owner FILE MIME-TYPE\n");
        return 2;
    }
    path = argv[1];
    struct wl_display *display = wl_display_connect(NULL);
    if (!display) {
        fprintf(stderr, "wayland-test-owner: cannot connect to the Wayland display\n");
        return 1;
    }
    wl_registry_add_listener(wl_display_get_registry(display), &registry_listener, NULL);
    wl_display_roundtrip(display);
    if (!seat || !manager) {
        fprintf(stderr, "wayland-test-owner: no wl_seat or zwlr_data_control_manager_v1\n");
        return 1;
    }
    struct zwlr_data_control_device_v1 *device = zwlr_data_control_manager_v1_get_data_device(manager, seat);
    struct zwlr_data_control_source_v1 *source = zwlr_data_control_manager_v1_create_data_source(manager);
    zwlr_data_control_source_v1_add_listener(source, &source_listener, NULL);
    zwlr_data_control_source_v1_offer(source, argv[2]);
    zwlr_data_control_device_v1_set_selection(device, source);
    while (running && wl_display_dispatch(display) >= 0) {}
    wl_display_disconnect(display);
    return 0;
}
