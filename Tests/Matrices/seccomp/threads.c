/* Starts one thread: glibc 2.34 and later do it with clone3 (see Containers/seccomp/clone3-eperm.json). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
static void *work(void *arg) { return arg; }
int main(void) {
  pthread_t thread;
  int error = pthread_create(&thread, NULL, work, NULL);
  if (error != 0) { fprintf(stderr, "pthread_create: %s\n", strerror(error)); return 1; }
  pthread_join(thread, NULL);
  puts("thread joined");
  return 0;
}
