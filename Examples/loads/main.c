// Greets through libgreet.so.1, with its own size: stat() is GLIBC_2.33 in bookworm's glibc, below
// the floor (2.34, __libc_start_main) but above Debian 11's.
#include <stdio.h>
#include <sys/stat.h>

void greet(const char *name);

int main(int argc, char **argv) {
  struct stat self;
  greet(argc > 1 ? argv[1] : "world");
  if (stat(argv[0], &self) == 0) printf("%lld bytes\n", (long long)self.st_size);
  return 0;
}
