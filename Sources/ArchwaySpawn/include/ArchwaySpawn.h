#ifndef ARCHWAY_SPAWN_H
#define ARCHWAY_SPAWN_H

#include <sys/types.h>

/// Starts the program at `path` with `argv` and `envp` (NULL-terminated) in a session of its own
/// (so a process group of its own, led by it), with `in`, `out` and `err` (each 3 or above) as its
/// standard input, output and error and no other descriptor, in `directory` (NULL: the caller's),
/// every signal at its default and none blocked. With `cgroup` a cgroup v2 folder's descriptor
/// (not -1) it is born in that group (clone3's CLONE_INTO_CGROUP), so nothing it ever starts runs
/// outside it, and no process has to be moved there: a move waits for an RCU grace period, 10 ms
/// and more on a machine where starting the program takes one.
///
/// Returns the process id; or -1 with `*error` set to the errno of what failed (clone3, chdir, or
/// execve, which the child reports through a pipe before it exits with 127; it is then reaped).
/// Linux only.
pid_t archway_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                    int in, int out, int err, int cgroup, int *error);

/// A descriptor that becomes readable when process `pid` ends (pidfd_open, Linux 5.3), close-on-exec;
/// or -1 with errno set (ENOSYS on an older kernel).
int archway_pidfd_open(pid_t pid);

/// pipe2 with O_CLOEXEC (Swift's Glibc module lacks pipe2): both ends close at exec, from the
/// start, so no process another thread starts meanwhile inherits one. 0, or -1 with errno set.
int archway_pipe_cloexec(int ends[2]);

#endif
