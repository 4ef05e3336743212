#include "hex.h"

static const char digits[] = "0123456789abcdef";

void hex_encode(const unsigned char *in, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
}

static int value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int hex_decode(const char *in, size_t n, unsigned char *out) {
  for (size_t i = 0; i < n; i++) {
    int high = value(in[2 * i]), low = value(in[2 * i + 1]);
    if (high < 0 || low < 0) return -1;
    out[i] = (unsigned char)(high << 4 | low);
  }
  return 0;
}
