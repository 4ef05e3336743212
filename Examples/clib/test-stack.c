/* Deep recursion on a small frame. A planted crash: on riscv64 the test dereferences a null pointer
 * on purpose, standing for a bug only one arch's emulated run shows (SIGSEGV, named per arch). */
#include <stdio.h>

static unsigned depth(unsigned n) { return n == 0 ? 0 : 1 + depth(n - 1); }

int main(void) {
  volatile unsigned levels = 10000;
  if (depth(levels) != levels) return 1;
#if defined(__riscv)
  volatile int *nowhere = 0;
  return *nowhere;
#else
  return 0;
#endif
}
