// The dot product of two float vectors: a loop compilers vectorize, so a build for a newer CPU
// (-march=x86-64-v3: AVX2 and FMA; -march=armv7-a) holds instructions an older one lacks.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  if (n < 1 || n > 1000000) return 2;
  float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  if (!a || !b) return 2;
  for (int i = 0; i < n; i++) {
    a[i] = (float)(i % 7);
    b[i] = (float)(i % 5);
  }
  float sum = 0;
  for (int i = 0; i < n; i++) sum += a[i] * b[i];
  printf("dot %d: %.0f\n", n, sum);
  free(a);
  free(b);
  return 0;
}
