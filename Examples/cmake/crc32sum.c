/* crc32sum FILE...: each file's CRC-32 in hexadecimal and its name, like cksum. */
#include <stdio.h>
#include "crc32.h"

int main(int argc, char **argv) {
  int status = 0;
  for (int i = 1; i < argc; i++) {
    FILE *file = fopen(argv[i], "rb");
    if (!file) {
      perror(argv[i]);
      status = 1;
      continue;
    }
    unsigned char buffer[4096];
    uint32_t crc = 0;
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, file)) > 0) crc = crc32_update(crc, buffer, n);
    fclose(file);
    printf("%08x  %s\n", (unsigned)crc, argv[i]);
  }
  return status;
}
