#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <errno.h>

#include "linux_shim.h"

int linux_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
}

int linux_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

void linux_write_stderr(const char *text, unsigned long length) {
    while (length > 0) {
        ssize_t n = write(STDERR_FILENO, text, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text += n;
        length -= (unsigned long)n;
    }
}
