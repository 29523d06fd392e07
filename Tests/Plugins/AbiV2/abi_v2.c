/* A test-only library built for a future ABI 2: it exports only the v2
 * entry symbol, which a 1.x host must refuse with a clear message. */
#include <stddef.h>
#include <stdint.h>

__attribute__((visibility("default"))) const void *proctor_plugin_entry_v2(uint32_t major, uint32_t minor) {
    (void)major;
    (void)minor;
    return NULL;
}
