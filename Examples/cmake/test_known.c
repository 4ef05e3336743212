/* The check value every CRC-32 implementation must give, in one piece and in parts. */
#include <stdio.h>
#include "crc32.h"

int main(void) {
  uint32_t whole = crc32_update(0, "123456789", 9);
  uint32_t parts = crc32_update(crc32_update(0, "1234", 4), "56789", 5);
  if (whole != 0xCBF43926u || parts != whole || crc32_update(0, "", 0) != 0) {
    printf("crc32(\"123456789\") = %08x in one piece, %08x in parts; expected cbf43926\n", (unsigned)whole,
           (unsigned)parts);
    return 1;
  }
  return 0;
}
