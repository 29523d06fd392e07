/*
 * hangs_on_load — a test-only library whose initialiser never returns and
 * ignores SIGTERM, as a broken library's might: the agent's load probe must
 * give up on it, kill it and say so. Never shipped.
 */
#include <signal.h>
#include <unistd.h>

#include "proctor_plugin.h"

__attribute__((constructor)) static void never_return(void) {
    signal(SIGTERM, SIG_IGN);
    for (;;) pause();
}

PROCTOR_EXPORT const proctor_plugin_descriptor_t *proctor_plugin_entry_v1(uint32_t major, uint32_t minor) {
    (void)major;
    (void)minor;
    return NULL;
}
