#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "CSystem.h"

int mailshift_pipe2_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int mailshift_syncfs(int fd) { return syncfs(fd); }

int mailshift_renameat_noreplace(int fromdir, const char *from, int todir, const char *to) {
    return renameat2(fromdir, from, todir, to, RENAME_NOREPLACE);
}

int mailshift_bytes_readable(int fd) {
    int n = 0;
    return ioctl(fd, FIONREAD, &n) == 0 ? n : -1;
}

int mailshift_spawn_addclosefrom(void *actions, int low) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    return posix_spawn_file_actions_addclosefrom_np((posix_spawn_file_actions_t *)actions, low);
#else
    (void)actions;
    (void)low;
    return 0;
#endif
}
