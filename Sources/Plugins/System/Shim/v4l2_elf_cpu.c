#define _GNU_SOURCE
#include "system_shim.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/videodev2.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

int system_v4l2_query(const char *path, system_v4l2_caps_t *out) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return errno;
    struct v4l2_capability cap;
    memset(&cap, 0, sizeof cap);
    int result = ioctl(fd, VIDIOC_QUERYCAP, &cap) < 0 ? errno : 0;
    close(fd);
    if (result) return result;
    memset(out, 0, sizeof *out);
    memcpy(out->driver, cap.driver, sizeof cap.driver);
    memcpy(out->card, cap.card, sizeof cap.card);
    memcpy(out->bus_info, cap.bus_info, sizeof cap.bus_info);
    out->device_caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    return 0;
}

// Reads `size` bytes at `offset`; 0 on success.
static int read_at(int fd, void *buffer, size_t size, off_t offset) {
    return pread(fd, buffer, size, offset) == (ssize_t)size ? 0 : -1;
}

static int note_build_id(int fd, off_t offset, size_t size, char *hex, size_t hex_size) {
    unsigned char notes[4096];
    if (size > sizeof notes) size = sizeof notes;
    if (read_at(fd, notes, size, offset)) return 0;
    size_t at = 0;
    while (at + sizeof(Elf64_Nhdr) <= size) {
        // Elf32_Nhdr and Elf64_Nhdr have the same layout.
        Elf64_Nhdr header;
        memcpy(&header, notes + at, sizeof header);
        size_t name_at = at + sizeof header;
        size_t desc_at = name_at + ((header.n_namesz + 3) & ~3u);
        size_t next = desc_at + ((header.n_descsz + 3) & ~3u);
        if (next > size) break;
        if (header.n_type == NT_GNU_BUILD_ID && header.n_namesz == 4 && memcmp(notes + name_at, "GNU", 4) == 0 &&
            header.n_descsz > 0 && header.n_descsz <= 64 && hex_size >= header.n_descsz * 2 + 1) {
            for (unsigned i = 0; i < header.n_descsz; i++) sprintf(hex + 2 * i, "%02x", notes[desc_at + i]);
            return (int)header.n_descsz;
        }
        at = next;
    }
    return 0;
}

int system_elf_build_id(const char *path, char *hex, size_t hex_size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    unsigned char ident[EI_NIDENT];
    int found = 0;
    if (read_at(fd, ident, sizeof ident, 0) == 0 && memcmp(ident, ELFMAG, SELFMAG) == 0) {
        if (ident[EI_CLASS] == ELFCLASS64) {
            Elf64_Ehdr header;
            if (read_at(fd, &header, sizeof header, 0) == 0 && header.e_phentsize == sizeof(Elf64_Phdr)) {
                for (int i = 0; i < header.e_phnum && i < 64 && !found; i++) {
                    Elf64_Phdr program;
                    if (read_at(fd, &program, sizeof program, (off_t)(header.e_phoff + (Elf64_Off)i * sizeof program))) break;
                    if (program.p_type == PT_NOTE) found = note_build_id(fd, (off_t)program.p_offset, program.p_filesz, hex, hex_size);
                }
            }
        } else if (ident[EI_CLASS] == ELFCLASS32) {
            Elf32_Ehdr header;
            if (read_at(fd, &header, sizeof header, 0) == 0 && header.e_phentsize == sizeof(Elf32_Phdr)) {
                for (int i = 0; i < header.e_phnum && i < 64 && !found; i++) {
                    Elf32_Phdr program;
                    if (read_at(fd, &program, sizeof program, (off_t)(header.e_phoff + (Elf32_Off)i * sizeof program))) break;
                    if (program.p_type == PT_NOTE) found = note_build_id(fd, (off_t)program.p_offset, program.p_filesz, hex, hex_size);
                }
            }
        }
    }
    close(fd);
    return found;
}

int system_cpuid_hypervisor(char vendor[13]) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 31))) return 0;
    __cpuid(0x40000000, eax, ebx, ecx, edx);
    memcpy(vendor, &ebx, 4);
    memcpy(vendor + 4, &ecx, 4);
    memcpy(vendor + 8, &edx, 4);
    vendor[12] = 0;
    return 1;
#else
    (void)vendor;
    return 0;
#endif
}
