/* A test-only plugin that claims ABI 1.99 and, against the rules, hands its
 * descriptor to an older host anyway: the host must refuse it itself. */
#include "proctor_plugin.h"

static proctor_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(proctor_plugin_descriptor_t),
    .abi_major = PROCTOR_ABI_MAJOR,
    .abi_minor = 99,
    .id = "abi_minor_too_new",
};

PROCTOR_EXPORT const proctor_plugin_descriptor_t *proctor_plugin_entry_v1(uint32_t major, uint32_t minor) {
    (void)major;
    (void)minor;
    return &descriptor;
}
