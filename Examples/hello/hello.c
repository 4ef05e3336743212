/* The demo program. Its first line greets whoever is named on the command line; its `target:` line
   says what genuinely differs between targets (pointer size, byte order, the signedness of plain
   char, the size of long double); every other line must come out the same on every target, and
   Archway compares them with the native build's:
     - floating-point formatting and rounding (printf's %.17g and %a, strtod, float vs double),
     - integer behaviour that depends on nothing but the C standard (unsigned wrap, 64-bit math),
     - a checksum of a computed table, written in a fixed byte order.
   A cross build whose libc formats numbers differently, or an emulator that computes them wrongly,
   shows up as a diff. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t crc_table[256];

static void make_crc_table(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[n] = c;
  }
}

static uint32_t crc32(const unsigned char *bytes, size_t count) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < count; i++) c = crc_table[(c ^ bytes[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

int main(int argc, char **argv) {
  const char *who = argc > 1 ? argv[1] : "world";
  char *copy = strdup(who);
  if (copy == NULL) return 1;
  printf("hello, %s\n", copy);
  free(copy);

  unsigned int one = 1;
  char minus_one = (char)-1;
  printf("target: %zu-bit, %s-endian, char %s, long double %zu bytes\n", sizeof(void *) * 8,
         *(const unsigned char *)&one ? "little" : "big", minus_one < 0 ? "signed" : "unsigned",
         sizeof(long double));

  volatile double a = 0.1, b = 0.2;
  volatile float third = 1.0f / 3.0f;
  printf("float: 0.1+0.2=%.17g 1/3f=%.9g sqrt2=%.17g hex=%a parsed=%.17g\n", a + b, (double)third,
         sqrt(2.0), a, strtod("2.718281828459045", NULL));

  volatile uint64_t big = UINT64_C(0xFFFFFFFFFFFFFFFF);
  uint64_t power = 1;
  for (int i = 0; i < 22; i++) power *= 7;
  volatile unsigned int zero = 0;
  printf("ints: u64max+1=%" PRIu64 " 7^22=%" PRIu64 " uint_wrap=%u\n", (uint64_t)(big + 1), power,
         zero - 1u);

  make_crc_table();
  unsigned char serialized[1024];
  for (int i = 0; i < 256; i++) {  // big-endian, whatever the host's order
    for (int j = 0; j < 4; j++) serialized[i * 4 + j] = (unsigned char)(crc_table[i] >> (24 - 8 * j));
  }
  printf("table: crc32(\"123456789\")=%08" PRIx32 " crc32(table)=%08" PRIx32 "\n",
         crc32((const unsigned char *)"123456789", 9), crc32(serialized, sizeof serialized));
  return 0;
}
