/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The C library the test code (tests/harness, conformance, model, hwmodel,
 * support) uses, for the kernel build of the suite (tests/kernel/suite).
 *
 * The bodies and oracles are compiled unchanged: every <libc.h> they
 * include is a file in this directory that includes this header, and what
 * they call is implemented in kcompat.c on kernel services. Only what the
 * test code uses is here; a new libc call in a test file shows up as a
 * build error of the module, not as a silent difference.
 *
 *   memory    malloc calloc realloc free posix_memalign; mmap (anonymous
 *             reservations, backed when used: see kc_commit) munmap
 *             madvise
 *   stdio     FILE stdout stderr printf fprintf puts fflush (lines go to
 *             the kernel log as KTAP diagnostics) snprintf vsnprintf
 *   threads   pthread_create/join/self (kthreads), mutexes, affinity,
 *             sched_yield
 *   time      time clock_gettime nanosleep
 *   misc      abort getenv strtoull qsort
 */
#ifndef IOPGT_KCOMPAT_H
#define IOPGT_KCOMPAT_H

#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/stdarg.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/cpumask.h>
#include <linux/limits.h>

/* stdint.h / inttypes.h: the kernel's u64 is unsigned long long */
#define PRIx64 "llx"
#define PRIu64 "llu"
#define PRId64 "lld"

/* stdlib.h */
#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
int posix_memalign(void **p, size_t align, size_t size);
/*
 * Not the builtin abort, which the compiler takes as noreturn: objtool
 * does not know ours is, and would see code fall off a function's end.
 */
#define abort() kc_abort()
void kc_abort(void);
char *getenv(const char *name);
unsigned long long strtoull(const char *s, char **end, int base);
void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *));

/* stdio.h */
typedef struct kc_file FILE;
extern FILE *stdout;
extern FILE *stderr;
int printf(const char *fmt, ...) __printf(1, 2);
int fprintf(FILE *f, const char *fmt, ...) __printf(2, 3);
int puts(const char *s);
int fputc(int c, FILE *f);
int fflush(FILE *f);

/* sys/mman.h */
#define PROT_READ	1
#define PROT_WRITE	2
#define MAP_PRIVATE	0x02
#define MAP_ANONYMOUS	0x20
#define MAP_NORESERVE	0x4000
#define MAP_FAILED	((void *)-1)
#define MADV_HUGEPAGE	14
void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);
int munmap(void *addr, size_t len);
int madvise(void *addr, size_t len, int advice);

/*
 * A kernel has no lazily backed anonymous memory: a reservation from mmap
 * is backed and zeroed when first handed out, and reused by later mmaps of
 * the same length. kc_commit() tells which part of it was used, so that
 * only that part is zeroed again on munmap. talloc.c calls it through
 * TALLOC_COMMIT for each chunk it carves.
 */
void kc_commit(void *addr, size_t len);
#define TALLOC_COMMIT(va, len) kc_commit(va, len)

/* pthread.h */
typedef struct kc_thread *pthread_t;
typedef struct mutex pthread_mutex_t;
typedef struct { int unused; } pthread_attr_t;
typedef struct { int unused; } pthread_mutexattr_t;
int pthread_create(pthread_t *th, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg);
int pthread_join(pthread_t th, void **ret);
pthread_t pthread_self(void);
int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_unlock(pthread_mutex_t *m);

/* sched.h */
#define CPU_SETSIZE 64
typedef struct { unsigned long long bits; } cpu_set_t;
#define CPU_ZERO(s)	((s)->bits = 0)
#define CPU_SET(c, s)	((s)->bits |= 1ull << (c))
#define CPU_ISSET(c, s)	(!!((s)->bits & (1ull << (c))))
#define CPU_COUNT(s)	hweight64((s)->bits)
int sched_yield(void);
/* the kernel has a sched_getaffinity of its own */
#define sched_getaffinity kc_sched_getaffinity
int sched_getaffinity(int pid, size_t size, cpu_set_t *set);
int pthread_setaffinity_np(pthread_t th, size_t size, const cpu_set_t *set);

/* time.h */
typedef long long time_t;

#define CLOCK_MONOTONIC 1
struct timespec {
	long long tv_sec;
	long tv_nsec;
};
time_t time(time_t *t);
int clock_gettime(int clock, struct timespec *ts);
int nanosleep(const struct timespec *req, struct timespec *rem);

#endif /* IOPGT_KCOMPAT_H */
