/* hexenc: standard input to hexadecimal on standard output. */
#include <stdio.h>
#include "hex.h"

int main(void) {
  unsigned char in[4096];
  char out[2 * sizeof in];
  size_t n;
  while ((n = fread(in, 1, sizeof in, stdin)) > 0) {
    hex_encode(in, n, out);
    if (fwrite(out, 1, 2 * n, stdout) != 2 * n) return 1;
  }
  return ferror(stdin) ? 1 : 0;
}
