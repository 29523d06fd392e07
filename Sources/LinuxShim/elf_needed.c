/* Reads a shared library's DT_NEEDED entries from its file, without loading
 * it: the agent picks a plugin's host by whether its library links the Swift
 * runtime. */
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux_shim.h"

static int read_at(int fd, void *into, size_t length, off_t offset) {
    size_t done = 0;
    while (done < length) {
        ssize_t n = pread(fd, (char *)into + done, length - done, offset + (off_t)done);
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return 0;
}

int linux_elf_needs_library(const char *path, const char *prefix) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int result = -1;
    Elf64_Shdr *sections = NULL;
    Elf64_Dyn *entries = NULL;
    char *strings = NULL;
    Elf64_Ehdr header;
    if (read_at(fd, &header, sizeof header, 0) != 0 || memcmp(header.e_ident, ELFMAG, SELFMAG) != 0
        || header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shnum == 0
        || header.e_shnum > 4096) {
        goto done;
    }
    sections = calloc(header.e_shnum, sizeof(Elf64_Shdr));
    if (sections == NULL || read_at(fd, sections, header.e_shnum * sizeof(Elf64_Shdr), (off_t)header.e_shoff) != 0) goto done;
    for (int i = 0; i < header.e_shnum; i++) {
        const Elf64_Shdr *dynamic = &sections[i];
        if (dynamic->sh_type != SHT_DYNAMIC || dynamic->sh_link >= header.e_shnum) continue;
        const Elf64_Shdr *table = &sections[dynamic->sh_link];
        if (dynamic->sh_size > (64u << 20) || table->sh_size > (64u << 20) || table->sh_size == 0) goto done;
        entries = malloc(dynamic->sh_size);
        strings = malloc(table->sh_size + 1);
        if (entries == NULL || strings == NULL || read_at(fd, entries, dynamic->sh_size, (off_t)dynamic->sh_offset) != 0
            || read_at(fd, strings, table->sh_size, (off_t)table->sh_offset) != 0) {
            goto done;
        }
        strings[table->sh_size] = 0;
        result = 0;
        size_t count = dynamic->sh_size / sizeof(Elf64_Dyn);
        for (size_t j = 0; j < count && entries[j].d_tag != DT_NULL; j++) {
            if (entries[j].d_tag == DT_NEEDED && entries[j].d_un.d_val < table->sh_size
                && strncmp(strings + entries[j].d_un.d_val, prefix, strlen(prefix)) == 0) {
                result = 1;
                break;
            }
        }
        goto done;
    }
    result = 0;  /* no dynamic section: needs nothing */
done:
    free(sections);
    free(entries);
    free(strings);
    close(fd);
    return result;
}
