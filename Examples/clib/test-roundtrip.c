/* Every byte value encodes to two digits and decodes back; a bad digit is refused. */
#include <stdio.h>
#include <string.h>
#include "hex.h"

int main(void) {
  unsigned char bytes[256], back[256];
  char text[512];
  for (int i = 0; i < 256; i++) bytes[i] = (unsigned char)i;
  hex_encode(bytes, sizeof bytes, text);
  if (memcmp(text, "000102", 6) != 0 || memcmp(text + 506, "fdfeff", 6) != 0) {
    printf("encoded as %.6s…%.6s\n", text, text + 506);
    return 1;
  }
  if (hex_decode(text, sizeof bytes, back) != 0 || memcmp(bytes, back, sizeof bytes) != 0) {
    puts("decoding did not give the bytes back");
    return 1;
  }
  if (hex_decode("0g", 1, back) != -1) {
    puts("'0g' decoded");
    return 1;
  }
  return 0;
}
