/* hexdec: hexadecimal on standard input back to bytes on standard output. */
#include <stdio.h>
#include "hex.h"

int main(void) {
  char in[8192];
  unsigned char out[sizeof in / 2];
  size_t n;
  while ((n = fread(in, 1, sizeof in, stdin)) > 0) {
    if (n % 2 != 0 || hex_decode(in, n / 2, out) != 0) {
      fputs("hexdec: not hexadecimal\n", stderr);
      return 1;
    }
    if (fwrite(out, 1, n / 2, stdout) != n / 2) return 1;
  }
  return ferror(stdin) ? 1 : 0;
}
