/* crc32: the CRC-32 of zlib and PNG. Archway's example CMake project. */
#ifndef CRC32_H
#define CRC32_H
#include <stddef.h>
#include <stdint.h>

/* The CRC-32 of n bytes at data, continuing from crc (0 to start). */
uint32_t crc32_update(uint32_t crc, const void *data, size_t n);

/* The CRC-32 of n 32-bit words, each taken as its four bytes in little-endian order (the file
 * format's order). */
uint32_t crc32_words(const uint32_t *words, size_t n);

#endif
