#include "crc32.h"

uint32_t crc32_update(uint32_t crc, const void *data, size_t n) {
  const unsigned char *bytes = data;
  crc = ~crc;
  for (size_t i = 0; i < n; i++) {
    crc ^= bytes[i];
    for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
  }
  return ~crc;
}

uint32_t crc32_words(const uint32_t *words, size_t n) {
  /* A planted bug: the words are hashed as they lie in memory, which is the format's
   * little-endian order only on a little-endian machine. test_words fails on s390x. */
  return crc32_update(0, words, 4 * n);
}
