/* One small program, built to go wrong in one way per -D flag, for Tests/Matrices/faults.yml:
     (none)        prints the sum of a table: the same on every target
     CHAR_BUG      sums plain chars where it means signed ones: right on x86, where plain char is
                   signed, wrong on arm64, where it is unsigned, so only the emulated build differs
     STAMP         embeds __DATE__ and __TIME__: a build that is not reproducible
     CRASH         dies of SIGSEGV (raised: qemu-user lets a guest write to address 0) */
#include <signal.h>
#include <stdio.h>

#ifdef STAMP
const char *volatile build_stamp = "built " __DATE__ " " __TIME__;
#endif

int main(int argc, char **argv) {
  (void)argv;
  long sum = 0;
  for (int i = 0; i < 256; i++) {
#ifdef CHAR_BUG
    char c = (char)i;
#else
    signed char c = (signed char)i;
#endif
    sum += c;
  }
  printf("sum=%ld\n", sum);
#ifdef STAMP
  if (argc > 9) puts(build_stamp);
#endif
#ifdef CRASH
  if (argc < 9) raise(SIGSEGV);
#endif
  return 0;
}
