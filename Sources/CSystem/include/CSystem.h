// The Linux calls Swift's Glibc module cannot see (glibc declares them only under _GNU_SOURCE).
// Declared here with plain types, so this header does not change how system headers read;
// defined in CSystem.c, which is compiled with _GNU_SOURCE. Imported only by SystemCalls.
#ifndef MAILSHIFT_CSYSTEM_H
#define MAILSHIFT_CSYSTEM_H

int mailshift_pipe2_cloexec(int fds[2]);
int mailshift_syncfs(int fd);
/// renameat2(..., RENAME_NOREPLACE): fails with EEXIST instead of replacing `to`.
int mailshift_renameat_noreplace(int fromdir, const char *from, int todir, const char *to);
/// ioctl(FIONREAD): bytes ready to read on a pipe or socket without blocking; -1 on error.
int mailshift_bytes_readable(int fd);
/// `actions` is a posix_spawn_file_actions_t *.
int mailshift_spawn_addclosefrom(void *actions, int low);

#endif
