/* A 32-bit word written as hex must read the same on every machine. The shortcut below encodes the
 * word's bytes as they lie in memory: right on little-endian machines, wrong on big-endian ones
 * (s390x), where this test fails. A planted failure: Archway must name it on that arch alone. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "hex.h"

int main(void) {
  uint32_t word = 0x41524357; /* "WCRA" as little-endian bytes */
  unsigned char bytes[4];
  char text[9] = {0};
  memcpy(bytes, &word, sizeof word);
  hex_encode(bytes, sizeof bytes, text);
  if (strcmp(text, "57435241") != 0) {
    printf("0x41524357 encoded as %s, expected 57435241: the encoding depends on byte order\n", text);
    return 1;
  }
  return 0;
}
