/* Words hash as their little-endian bytes on every machine (fails on big-endian: a planted bug). */
#include <stdio.h>
#include "crc32.h"

int main(void) {
  const uint32_t words[2] = {0x34333231u, 0x38373635u}; /* "12345678" as little-endian bytes */
  uint32_t got = crc32_words(words, 2), want = crc32_update(0, "12345678", 8);
  if (got != want) {
    printf("crc32_words = %08x, the bytes' crc32 = %08x: the result depends on byte order\n", (unsigned)got,
           (unsigned)want);
    return 1;
  }
  return 0;
}
