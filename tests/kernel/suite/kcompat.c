// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The C library of the test code, on kernel services (kcompat.h lists
 * it). Allocation may sleep everywhere here: the suite runs in process
 * context only, and a body that allocates in a loop gives the scheduler
 * a chance through it (a body can run for seconds under emulation).
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "compat/kcompat.h"
#include "ksuite.h"

/*
 * malloc and friends: kvmalloc, with a header just below the block that
 * holds what kvmalloc returned and the size (for realloc). Blocks are
 * 16-byte aligned as malloc's are (kmalloc promises 8 with slub_debug's
 * red zones), or as posix_memalign asks.
 */
struct kc_block {
	void *base;
	size_t size;
};

static void *kc_alloc(size_t size, size_t align)
{
	struct kc_block *b;
	void *base;
	size_t extra = sizeof(*b) + align;

	cond_resched();
	if (size > SIZE_MAX - extra)
		return NULL;
	base = kvmalloc(size + extra, GFP_KERNEL);
	if (!base)
		return NULL;
	b = (struct kc_block *)ALIGN((uintptr_t)base + sizeof(*b), align) - 1;
	b->base = base;
	b->size = size;
	return b + 1;
}

void *malloc(size_t size)
{
	return kc_alloc(size, 16);
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void free(void *p)
{
	if (p)
		kvfree(((struct kc_block *)p - 1)->base);
}

void *realloc(void *p, size_t size)
{
	struct kc_block *old;
	void *q;

	if (!p)
		return malloc(size);
	old = (struct kc_block *)p - 1;
	if (size <= old->size) {
		old->size = size;
		return p;
	}
	q = malloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, old->size);
	free(p);
	return q;
}

int posix_memalign(void **p, size_t align, size_t size)
{
	if (!is_power_of_2(align) || align < sizeof(void *) ||
	    align > PAGE_SIZE)
		return EINVAL;
	*p = kc_alloc(size, align < 16 ? 16 : align);
	return *p ? 0 : ENOMEM;
}

void kc_abort(void)
{
	pr_err("# abort() called by the test code\n");
	BUG();
}

/* __builtin_popcountll without the popcnt instruction calls this */
int __popcountdi2(long long a);
int __popcountdi2(long long a)
{
	return hweight64(a);
}

/* The kernel suite has no environment: every knob has its default. */
char *getenv(const char *name)
{
	return NULL;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	return simple_strtoull(s, end, base);
}

void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *))
{
	sort(base, n, size, cmp, NULL);
}

/*
 * stdio: text is gathered per line and each line goes to the log as a
 * KTAP diagnostic ("# ..."), so a dump in a failure report cannot be taken
 * for a result line.
 */
struct kc_file {
	struct mutex lock;
	char line[256];
	size_t len;
};

static struct kc_file kc_out = {
	.lock = __MUTEX_INITIALIZER(kc_out.lock),
};
FILE *stdout = &kc_out;
FILE *stderr = &kc_out;

static void kc_flush_line(struct kc_file *f)
{
	if (f->len)
		ksuite_diag("%.*s", (int)f->len, f->line);
	f->len = 0;
}

static void kc_put(struct kc_file *f, const char *s)
{
	mutex_lock(&f->lock);
	for (; *s; s++) {
		if (*s == '\n') {
			kc_flush_line(f);
			continue;
		}
		if (f->len == sizeof(f->line))
			kc_flush_line(f);
		f->line[f->len++] = *s;
	}
	mutex_unlock(&f->lock);
}

static __printf(2, 0) int kc_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	char *s = kvasprintf(GFP_KERNEL, fmt, ap);
	int n;

	if (!s)
		return -1;
	n = strlen(s);
	kc_put(f, s);
	kfree(s);
	return n;
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kc_vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kc_vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	kc_put(stdout, s);
	kc_put(stdout, "\n");
	return 1;
}

int fputc(int c, FILE *f)
{
	char s[2] = { c, 0 };

	kc_put(f, s);
	return c & 0xff;
}

int fflush(FILE *f)
{
	mutex_lock(&f->lock);
	kc_flush_line(f);
	mutex_unlock(&f->lock);
	return 0;
}

/*
 * mmap: anonymous reservations. The test code reserves more than it
 * touches (the table allocator's arena and slot array are sized for the
 * worst case); a kernel cannot back memory lazily, so a reservation is
 * vzalloc'ed whole, and kept for the next mmap of the same length. What
 * was used (kc_commit, or the whole reservation when nobody said) is
 * zeroed on munmap, so a reservation handed out again reads as zero, as
 * fresh anonymous memory does.
 */
#define KC_MAP_MAX	(256ul << 20)

struct kc_map {
	struct list_head node;
	void *addr;
	size_t len;
	bool in_use;
	bool committed;		/* kc_commit called: [lo, hi) is used */
	uintptr_t lo, hi;
};

static LIST_HEAD(kc_maps);
static DEFINE_MUTEX(kc_maps_lock);

void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	struct kc_map *m;

	if (addr || fd != -1 || !(flags & MAP_ANONYMOUS) || !len ||
	    len > KC_MAP_MAX)
		return MAP_FAILED;
	len = PAGE_ALIGN(len);
	mutex_lock(&kc_maps_lock);
	list_for_each_entry(m, &kc_maps, node) {
		if (!m->in_use && m->len == len) {
			m->in_use = true;
			mutex_unlock(&kc_maps_lock);
			return m->addr;
		}
	}
	mutex_unlock(&kc_maps_lock);

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return MAP_FAILED;
	m->addr = vzalloc(len);
	if (!m->addr) {
		kfree(m);
		return MAP_FAILED;
	}
	m->len = len;
	m->in_use = true;
	mutex_lock(&kc_maps_lock);
	list_add(&m->node, &kc_maps);
	mutex_unlock(&kc_maps_lock);
	return m->addr;
}

static struct kc_map *kc_find(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	struct kc_map *m;

	list_for_each_entry(m, &kc_maps, node) {
		if (m->in_use && a >= (uintptr_t)m->addr &&
		    a - (uintptr_t)m->addr < m->len)
			return m;
	}
	return NULL;
}

void kc_commit(void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	struct kc_map *m;

	mutex_lock(&kc_maps_lock);
	m = kc_find(addr);
	if (WARN_ON(!m || len > m->len - (a - (uintptr_t)m->addr))) {
		mutex_unlock(&kc_maps_lock);
		return;
	}
	if (!m->committed || a < m->lo)
		m->lo = a;
	if (!m->committed || a + len > m->hi)
		m->hi = a + len;
	m->committed = true;
	mutex_unlock(&kc_maps_lock);
}

/* Zero what was used and keep @m for the next mmap of its length. */
static void kc_unmap(struct kc_map *m)
{
	if (m->committed)
		memset((void *)m->lo, 0, m->hi - m->lo);
	else
		memset(m->addr, 0, m->len);
	m->committed = false;
	m->in_use = false;
}

int munmap(void *addr, size_t len)
{
	struct kc_map *m;

	mutex_lock(&kc_maps_lock);
	m = kc_find(addr);
	if (!m || m->addr != addr || m->len != PAGE_ALIGN(len)) {
		mutex_unlock(&kc_maps_lock);
		return -EINVAL;
	}
	kc_unmap(m);
	mutex_unlock(&kc_maps_lock);
	return 0;
}

unsigned int kc_reclaim_maps(void)
{
	unsigned int n = 0;
	struct kc_map *m;

	mutex_lock(&kc_maps_lock);
	list_for_each_entry(m, &kc_maps, node) {
		if (m->in_use) {
			kc_unmap(m);
			n++;
		}
	}
	mutex_unlock(&kc_maps_lock);
	return n;
}

int madvise(void *addr, size_t len, int advice)
{
	return 0;
}

void kc_release_all(void)
{
	struct kc_map *m, *n;

	list_for_each_entry_safe(m, n, &kc_maps, node) {
		list_del(&m->node);
		vfree(m->addr);
		kfree(m);
	}
}

/* Threads: kthreads, joined through a completion. */
struct kc_thread {
	struct task_struct *task;
	void *(*fn)(void *arg);
	void *arg;
	void *ret;
	struct completion done;
};

static int kc_thread_main(void *data)
{
	struct kc_thread *th = data;

	th->ret = th->fn(th->arg);
	complete(&th->done);
	return 0;
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct kc_thread *th;

	th = kzalloc(sizeof(*th), GFP_KERNEL);
	if (!th)
		return -ENOMEM;
	th->fn = fn;
	th->arg = arg;
	init_completion(&th->done);
	th->task = kthread_create(kc_thread_main, th, "iopgt-kt/%d",
				  atomic_inc_return(&seq));
	if (IS_ERR(th->task)) {
		int err = PTR_ERR(th->task);

		kfree(th);
		return -err;
	}
	/* held until the join, so affinity may be set on a thread that ended */
	get_task_struct(th->task);
	wake_up_process(th->task);
	*out = th;
	return 0;
}

int pthread_join(pthread_t th, void **ret)
{
	wait_for_completion(&th->done);
	if (ret)
		*ret = th->ret;
	put_task_struct(th->task);
	kfree(th);
	return 0;
}

/* NULL stands for the calling thread (the suite's own, or a kthread). */
pthread_t pthread_self(void)
{
	return NULL;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	mutex_init(m);
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	mutex_destroy(m);
	return 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	mutex_lock(m);
	return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	mutex_unlock(m);
	return 0;
}

int sched_yield(void)
{
	/* a spinning waiter must let the thread it waits for run */
	if (!cond_resched())
		cpu_relax();
	return 0;
}

int sched_getaffinity(int pid, size_t size, cpu_set_t *set)
{
	int cpu;

	if (pid)
		return -1;
	CPU_ZERO(set);
	for_each_cpu(cpu, current->cpus_ptr)
		if (cpu < CPU_SETSIZE)
			CPU_SET(cpu, set);
	return 0;
}

int pthread_setaffinity_np(pthread_t th, size_t size, const cpu_set_t *set)
{
	struct task_struct *task = th ? th->task : current;
	cpumask_var_t mask;
	int cpu, err;

	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return ENOMEM;
	for (cpu = 0; cpu < CPU_SETSIZE && cpu < nr_cpu_ids; cpu++)
		if (CPU_ISSET(cpu, set))
			cpumask_set_cpu(cpu, mask);
	err = set_cpus_allowed_ptr(task, mask);
	free_cpumask_var(mask);
	return err ? -err : 0;
}

time_t time(time_t *t)
{
	time_t now = ktime_get_real_seconds();

	if (t)
		*t = now;
	return now;
}

int clock_gettime(int clock, struct timespec *ts)
{
	u64 ns = ktime_get_ns();

	ts->tv_sec = ns / NSEC_PER_SEC;
	ts->tv_nsec = ns % NSEC_PER_SEC;
	return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	u64 us = req->tv_sec * USEC_PER_SEC + req->tv_nsec / NSEC_PER_USEC;

	fsleep(us ? us : 1);
	return 0;
}
