/* The demo program: prints what it was built for and exercises a few libc calls
   whose symbol versions differ between glibc releases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *who = argc > 1 ? argv[1] : "world";
  char *copy = strdup(who);
  if (copy == NULL) return 1;
  printf("hello, %s (%zu-bit, %s-endian)\n", copy, sizeof(void *) * 8,
         (*(const unsigned char *)&(unsigned int){1}) ? "little" : "big");
  free(copy);
  return 0;
}
