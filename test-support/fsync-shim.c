// Puts a process's disk flushes under a test's or a benchmark's control, as an LD_PRELOAD library: every
// fsync() and fdatasync() first sleeps SLOW_FSYNC_US microseconds (a slower disk: cloud block storage takes
// 1-2 ms where this VM's disk takes 0.2), and fails with EIO while the file named by FAIL_FSYNC_WHEN_EXISTS
// exists (a dying disk). Compiled on first use by test-support/fsync-shim.mjs.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static int failing(void) {
  const char *flag = getenv("FAIL_FSYNC_WHEN_EXISTS");
  return flag != NULL && access(flag, F_OK) == 0;
}

static void slow_down(void) {
  const char *value = getenv("SLOW_FSYNC_US");
  if (value != NULL) usleep((useconds_t)strtoul(value, NULL, 10));
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  if (failing()) {
    errno = EIO;
    return -1;
  }
  slow_down();
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  if (failing()) {
    errno = EIO;
    return -1;
  }
  slow_down();
  return real(fd);
}
