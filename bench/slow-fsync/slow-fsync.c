// A slower disk for the benchmark: LD_PRELOAD this library and every fsync() and fdatasync() of the process
// first sleeps SLOW_FSYNC_US microseconds, then does the real call. It models cloud block storage, where a
// flush takes 1-2 ms, on a VM whose disk flushes in 0.2 ms. Built by bench/lib/slow-fsync.mjs.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

static useconds_t delay(void) {
  const char *value = getenv("SLOW_FSYNC_US");
  return value ? (useconds_t)strtoul(value, NULL, 10) : 0;
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  usleep(delay());
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  usleep(delay());
  return real(fd);
}
