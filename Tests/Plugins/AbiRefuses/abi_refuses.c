/* A test-only plugin built for ABI 1.99 that follows the rules: it declines
 * (returns NULL) when the host's minor is older than its own. */
#include "proctor_plugin.h"

PROCTOR_EXPORT const proctor_plugin_descriptor_t *proctor_plugin_entry_v1(uint32_t major, uint32_t minor) {
    if (major != PROCTOR_ABI_MAJOR || minor < 99) return NULL;
    return NULL; /* never reached on this host */
}
