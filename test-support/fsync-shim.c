// Puts a process's disk flushes under a test's or a benchmark's control, as an LD_PRELOAD library: every
// fsync() and fdatasync() first sleeps SLOW_FSYNC_US microseconds (a slower disk: cloud block storage takes
// 1-2 ms where this VM's disk takes 0.2), and fails with EIO while the file named by FAIL_FSYNC_WHEN_EXISTS
// exists (a dying disk). With FSYNC_TIMING_LOG set, each flush appends one line to that file: which thread
// ran it (`loop` when it is the process's main thread, where Node's event loop runs; `other` for the thread
// pool and worker threads), what it flushed (`wal`, `db` or `other`, by the file's name) and how long it
// took in microseconds. Compiled on first use by test-support/fsync-shim.mjs.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int failing(void) {
  const char *flag = getenv("FAIL_FSYNC_WHEN_EXISTS");
  return flag != NULL && access(flag, F_OK) == 0;
}

static void slow_down(void) {
  const char *value = getenv("SLOW_FSYNC_US");
  if (value != NULL) usleep((useconds_t)strtoul(value, NULL, 10));
}

static double now_us(void) {
  struct timespec time;
  clock_gettime(CLOCK_MONOTONIC, &time);
  return time.tv_sec * 1e6 + time.tv_nsec / 1e3;
}

static const char *file_kind(int fd) {
  char link[64], target[512];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t length = readlink(link, target, sizeof target - 1);
  if (length <= 0) return "other";
  target[length] = '\0';
  if (length > 4 && strcmp(target + length - 4, "-wal") == 0) return "wal";
  if (length > 3 && strcmp(target + length - 3, ".db") == 0) return "db";
  return "other";
}

// One write() per line on an O_APPEND descriptor: lines from several threads never interleave.
static void record(int fd, double started) {
  static int log_fd = -2;
  if (log_fd == -2) {
    const char *path = getenv("FSYNC_TIMING_LOG");
    log_fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;
  }
  if (log_fd < 0) return;
  char line[64];
  int on_loop = syscall(SYS_gettid) == getpid();
  int length = snprintf(line, sizeof line, "%s %s %.0f\n", on_loop ? "loop" : "other", file_kind(fd),
                        now_us() - started);
  if (write(log_fd, line, length) < 0) return;
}

static int flush_with(int (*real)(int), int fd) {
  if (failing()) {
    errno = EIO;
    return -1;
  }
  double started = now_us();
  slow_down();
  int result = real(fd);
  record(fd, started);
  return result;
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  return flush_with(real, fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  return flush_with(real, fd);
}
