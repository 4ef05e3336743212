/* libhex: bytes to lowercase hexadecimal and back. Archway's example C library. */
#ifndef HEX_H
#define HEX_H
#include <stddef.h>

/* Writes 2 * n characters (no terminator) for the n bytes at in. */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* Reads n bytes from the 2 * n characters at in; returns -1 at a character that is not a hex digit. */
int hex_decode(const char *in, size_t n, unsigned char *out);

#endif
