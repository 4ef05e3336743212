#ifdef __linux__
#define _GNU_SOURCE
#include "ArchwaySpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/// What the child needs; it shares the parent's memory (CLONE_VM) and writes `failed` there.
struct spawn_context {
  const char *path;
  char *const *argv;
  char *const *envp;
  const char *directory;
  int in, out, err;
  volatile int failed;
};

/// The child, on a stack of its own, before execve: only async-signal-safe calls. The parent
/// waits (CLONE_VFORK) until it has called execve or exited.
static int become(void *opaque) {
  struct spawn_context *context = opaque;
  // Every signal to its default, glibc's own two (32, 33) included, which its sigaction refuses:
  // an all-zero kernel sigaction is SIG_DFL with no flags and an empty mask, whatever its layout.
  static const char defaults[64];
  for (int signal = 1; signal < _NSIG; signal++) {
    syscall(SYS_rt_sigaction, signal, defaults, NULL, _NSIG / 8);  // SIGKILL and SIGSTOP refuse: no matter.
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (setsid() < 0 || dup2(context->in, 0) < 0 || dup2(context->out, 1) < 0 || dup2(context->err, 2) < 0) {
    context->failed = errno;
  } else if (context->directory != NULL && chdir(context->directory) != 0) {
    context->failed = errno;
  } else {
    // Every other descriptor closes at exec.
    if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      for (int fd = 3; fd < 65536; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    execve(context->path, context->argv, context->envp);
    context->failed = errno;
  }
  _exit(127);
}

/// clone3 with the child starting `become(context)` on `args->stack`: a system call that returns
/// twice on two stacks cannot return into C in the child, so the child's path is assembly that
/// calls `become` and never returns. Only where that assembly is written; elsewhere -ENOSYS.
static long clone3_calling(struct clone_args *args, struct spawn_context *context) {
#if defined(__x86_64__)
  register long number __asm__("rax") = SYS_clone3;
  register void *function __asm__("r12") = (void *)become;  // callee-saved: kept across syscall
  register void *argument __asm__("r13") = context;
  __asm__ __volatile__(
      "syscall\n\t"
      "testq %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "xorl %%ebp, %%ebp\n\t"
      "movq %%r13, %%rdi\n\t"
      "callq *%%r12\n\t"
      "movl $127, %%edi\n\t"
      "movl $60, %%eax\n\t"  // exit, should `become` ever return
      "syscall\n\t"
      "1:\n\t"
      : "+r"(number)
      : "D"(args), "S"(sizeof *args), "r"(function), "r"(argument)
      : "rcx", "r11", "memory", "cc");
  return number;
#elif defined(__aarch64__)
  register long x0 __asm__("x0") = (long)args;
  register long x1 __asm__("x1") = sizeof *args;
  register long x8 __asm__("x8") = SYS_clone3;
  register void *function __asm__("x19") = (void *)become;
  register void *argument __asm__("x20") = context;
  __asm__ __volatile__(
      "svc #0\n\t"
      "cbnz x0, 1f\n\t"
      "mov x29, xzr\n\t"
      "mov x0, x20\n\t"
      "blr x19\n\t"
      "mov x0, #127\n\t"
      "mov x8, #93\n\t"  // exit
      "svc #0\n\t"
      "1:\n\t"
      : "+r"(x0)
      : "r"(x1), "r"(x8), "r"(function), "r"(argument)
      : "x30", "memory", "cc");
  return x0;
#else
  (void)args;
  (void)context;
  return -ENOSYS;
#endif
}

pid_t archway_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                    int in, int out, int err, int cgroup, int *error) {
  struct spawn_context context = {path, argv, envp, directory, in, out, err, 0};
  // The child's stack, in this frame: this thread waits (vfork) until the child has called execve
  // or exited, and the child shares everything else with it until then. (A stack mapped and
  // unmapped each time cost a step a TLB flush on every CPU: ~80 µs here, in a VM.)
  enum { size = 32 * 1024 };
  _Alignas(16) char stack[size];
  // No signal handler of ours may run in the child before it has reset them.
  sigset_t all, kept;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &kept);
  long pid;
  if (cgroup >= 0) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.stack = (uint64_t)(uintptr_t)stack;
    args.stack_size = size;
    args.cgroup = (uint64_t)cgroup;
    pid = clone3_calling(&args, &context);
    if (pid == -ENOSYS) {
      // No assembly for this arch: fork's way (the child copies this process's page tables).
      args.flags = CLONE_INTO_CGROUP;
      args.stack = 0;
      args.stack_size = 0;
      pid = syscall(SYS_clone3, &args, sizeof args);
      if (pid == 0) become(&context);
      if (pid < 0) pid = -errno;
    }
  } else {
    pid = clone(become, stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD, &context);
    if (pid < 0) pid = -errno;
  }
  pthread_sigmask(SIG_SETMASK, &kept, NULL);
  if (pid < 0) {
    *error = (int)-pid;
    return -1;
  }
  if (context.failed != 0) {
    // With vfork's sharing the child's errno is here; without it (fork's way) the child's
    // exit status 127 is all there is, and the step reports that.
    int status;
    while (waitpid((pid_t)pid, &status, 0) < 0 && errno == EINTR) {}
    *error = context.failed;
    return -1;
  }
  return (pid_t)pid;
}

int archway_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
  return (int)syscall(SYS_pidfd_open, pid, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}
int archway_pipe_cloexec(int ends[2]) { return pipe2(ends, O_CLOEXEC); }
#endif
