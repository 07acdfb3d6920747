/* uaccess.c — is a string or a string array the program handed us readable?  Asked before the shim reads one itself. */
#include "shim.h"
#include "wordscan.h"

#include <stdint.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

/*
 * The kernel answers EFAULT for a path, argv or envp it cannot read; a
 * wrapper that reads them first (exec.c, spawn.c: the EXEC note, the image
 * scan, the environment copy) must not die of SIGSEGV instead.  It asks
 * here and, on false, leaves the pointers to the real call.
 *
 * Readability is a property of pages, so each page touched is asked of
 * the kernel (shim_page_readable: a futex read, EFAULT, never a fault),
 * and is then read directly.  Pages already proven are remembered for the
 * duration of one question: an environment of 50 strings usually lies on
 * a few pages, so it costs a system call per page, not per string.  Not
 * longer: between two calls the program may unmap what it showed us.
 * Where the strings of an array start on many pages (make's environment,
 * each string malloc'd: about 25 pages), those pages are proven together,
 * with one process_vm_readv of a byte of each (pages_prove): 25 futex
 * calls were 9 µs of each job make spawned.
 */

#define UA_PAGE 4096u
/* The set of proven pages: open addressing, a power of two.  A set
 * scanned whole at every question cost a bash child 7 µs per exec
 * (45 strings, each looked up about six times in 64 slots). */
#define UA_SEEN 64
#define UA_SEEN_MAX (UA_SEEN * 3 / 4) /* then the set starts over */
/* Pages proven in one batch at most, and fewer than this one by one. */
#define UA_BATCH 32 /* < UA_SEEN_MAX */
#define UA_BATCH_MIN 6

struct ua {
	uintptr_t seen[UA_SEEN]; /* pages proven readable, 0 = free slot */
	unsigned count;          /* slots taken */
	uintptr_t last;          /* the page proven last asked of: most strings
				  * and pointers are on the one before them */
};

static unsigned seen_slot(uintptr_t page)
{
	return (unsigned)(((page / UA_PAGE) * 0x9E3779B97F4A7C15ull) >> 58) & (UA_SEEN - 1);
}

static bool page_seen(const struct ua *ua, uintptr_t page)
{
	if (page == ua->last)
		return true;
	for (unsigned i = seen_slot(page);; i = (i + 1) & (UA_SEEN - 1)) {
		if (ua->seen[i] == page)
			return true;
		if (ua->seen[i] == 0)
			return false;
	}
}

/* Room for n more pages: a set that would be too full is emptied (it is
 * a cache: what it forgets is asked again). */
static void seen_room(struct ua *ua, unsigned n)
{
	if (ua->count + n <= UA_SEEN_MAX)
		return;
	for (unsigned i = 0; i < UA_SEEN; i++)
		ua->seen[i] = 0;
	ua->count = 0;
}

/* Remember a proven page (not page 0: that marks a free slot), after
 * seen_room. */
static void seen_add(struct ua *ua, uintptr_t page)
{
	unsigned i;

	if (page == 0 || page_seen(ua, page) || ua->count >= UA_SEEN_MAX)
		return;
	for (i = seen_slot(page); ua->seen[i] != 0; i = (i + 1) & (UA_SEEN - 1))
		;
	ua->seen[i] = page;
	ua->count++;
}

/* memchr(s, 0, n) != NULL without libc: a fork child about to exec would
 * fault libc's memchr page in for this alone (env.c).  s + n is at most
 * the end of s's page. */
static bool has_nul(const char *s, size_t n)
{
	return shim_memnul(s, n) != NULL;
}

/*
 * The brk heap, [start_brk, current break): mapped and readable for as
 * long as the break is above it (malloc's main arena never protects or
 * unmaps a page of it; the break moves down when it trims).  Most paths a
 * long-running program hands us live there (make's target names: ten
 * stat calls per target, each a probe).  Its start is in /proc/self/stat,
 * read once, and only by a process that has asked the kernel about many
 * pages already: the read costs what about 40 probes do, which a shell
 * child never makes.  The break is glibc's own variable (__curbrk, what
 * sbrk(0) answers): no system call, and no page of libc's text faulted
 * into a fork child.
 */
extern void *__curbrk;
#define UA_HEAP_AFTER 64 /* probes before the heap's start is read */
/* On the fork page (shim.h), which relocation writes in every image
 * anyway: in .bss, an image's first probe read and wrote a page of its
 * own, one more page fault in every image's start (the start page is
 * full).  A fork child only reads them once its parent has learned the
 * heap's start. */
static SHIM_HOT uintptr_t heap_start; /* 0: not known (yet) */
static SHIM_HOT unsigned heap_probes;

static void heap_learn(void)
{
	char buf[1024];
	long n, fd = shim_raw_syscall(SYS_open, (long)"/proc/self/stat", O_RDONLY | O_CLOEXEC, 0, 0, 0, 0);
	const char *p;
	int field = 2;

	heap_probes = 0; /* failed: ask again after as many probes */
	if (fd < 0)
		return;
	n = shim_raw_syscall(SYS_read, fd, (long)buf, sizeof(buf) - 1, 0, 0, 0);
	shim_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields count from the last
	 * ')' (field 2 ends there); start_brk is field 47. */
	for (p = buf + n; p > buf && p[-1] != ')'; p--)
		;
	if (p == buf)
		return;
	while (*p != '\0' && field < 47)
		if (*p++ == ' ')
			field++;
	uintptr_t v = 0;
	if (field != 47 || *p < '0' || *p > '9')
		return;
	while (*p >= '0' && *p <= '9' && v < UINTPTR_MAX / 16)
		v = v * 10 + (uintptr_t)(*p++ - '0');
	if (*p == ' ' && v >= UA_PAGE) /* unless shim_uaccess_heap_off came first */
		__atomic_compare_exchange_n(&heap_start, &(uintptr_t){ 0 }, v, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
}

/* Before a fork (exec.c's prime): a parent that forks again and again (a
 * shell's loop) learns its heap's start now, once, so that its children,
 * which inherit it, prove their exec's strings there without a system
 * call (a bash child asked the kernel about four pages per exec). */
#define UA_HEAP_FORKS 3 /* forks before the heap's start is read */
void shim_uaccess_prime(void)
{
	static SHIM_HOT unsigned forks;

	if (__atomic_load_n(&heap_start, __ATOMIC_RELAXED) == 0 && ++forks == UA_HEAP_FORKS)
		heap_learn();
}

/* A program that moves its break with the system call itself, behind
 * libc's back (syscall(SYS_brk)): __curbrk no longer says where the heap
 * ends, so every page is asked of the kernel again, for good. */
void shim_uaccess_heap_off(void)
{
	__atomic_store_n(&heap_start, UINTPTR_MAX, __ATOMIC_RELAXED);
}

static bool in_heap(uintptr_t page)
{
	uintptr_t brk = (uintptr_t)__atomic_load_n(&__curbrk, __ATOMIC_RELAXED);

	uintptr_t start = __atomic_load_n(&heap_start, __ATOMIC_RELAXED);

	return start != 0 && start != UINTPTR_MAX && page >= start && brk > start && page + UA_PAGE <= brk;
}

/* A page no set has proven: the heap's, or asked of the kernel. */
static bool page_prove(uintptr_t page)
{
	if (page == 0)
		return false;
	if (in_heap(page))
		return true;
	if (__atomic_load_n(&heap_start, __ATOMIC_RELAXED) == 0 && ++heap_probes >= UA_HEAP_AFTER)
		heap_learn();
	return shim_page_readable((const void *)page);
}

static bool page_ok(struct ua *ua, uintptr_t addr)
{
	uintptr_t page = addr & ~(uintptr_t)(UA_PAGE - 1);

	if (page == 0)
		return false;
	if (page_seen(ua, page)) {
		ua->last = page;
		return true;
	}
	if (in_heap(page)) {
		ua->last = page;
		return true;
	}
	if (!page_prove(page))
		return false;
	seen_room(ua, 1);
	seen_add(ua, page);
	ua->last = page;
	return true;
}

/*
 * Prove pages[0..n) readable with one system call where that pays:
 * process_vm_readv of one byte of each, from ourselves, stops at the
 * first it cannot read.  That one, and every page after it, is left to
 * page_ok (the futex read), which decides: process_vm_readv also refuses
 * pages a plain read could take (a PFN mapping), and a seccomp filter
 * may refuse the call.  Proven pages go into the seen set.
 */
static void pages_prove(struct ua *ua, const uintptr_t *pages, unsigned n)
{
	struct iovec local[UA_BATCH], remote[UA_BATCH];
	char bytes[UA_BATCH];
	long got;

	if (n < UA_BATCH_MIN)
		return;
	for (unsigned i = 0; i < n; i++) {
		local[i] = (struct iovec){ &bytes[i], 1 };
		remote[i] = (struct iovec){ (void *)pages[i], 1 };
	}
	seen_room(ua, n);
	got = shim_raw_syscall(SYS_process_vm_readv, shim_sys_getpid(), (long)local, n, (long)remote, n, 0);
	for (long i = 0; i < got && i < (long)n; i++)
		seen_add(ua, pages[i]);
}

static bool str_ok(struct ua *ua, const char *s)
{
	for (;;) {
		uintptr_t at = (uintptr_t)s;
		size_t left = UA_PAGE - (at & (UA_PAGE - 1));

		if (!page_ok(ua, at))
			return false;
		if (has_nul(s, left))
			return true;
		s += left;
	}
}

/* The first pages of v's strings, from v[from] on, that are not proven
 * yet, proven together (pages_prove).  Stops at the array's end, at a
 * slot on a page not proven yet (strv_ok proves it, then asks again) or
 * when the batch is full; returns the index it stopped at. */
static size_t strv_prove(struct ua *ua, char *const *v, size_t from)
{
	uintptr_t pages[UA_BATCH];
	unsigned n = 0;
	size_t i;

	for (i = from; n < UA_BATCH; i++) {
		uintptr_t slot = (uintptr_t)&v[i], page;
		if (!page_seen(ua, slot & ~(uintptr_t)(UA_PAGE - 1)) ||
		    !page_seen(ua, (slot + sizeof(v[i]) - 1) & ~(uintptr_t)(UA_PAGE - 1)) || v[i] == NULL)
			break;
		page = (uintptr_t)v[i] & ~(uintptr_t)(UA_PAGE - 1);
		if (page == 0 || page_seen(ua, page) || in_heap(page))
			continue;
		bool dup = false;
		for (unsigned k = 0; k < n && !dup; k++)
			dup = pages[k] == page;
		if (!dup)
			pages[n++] = page;
	}
	pages_prove(ua, pages, n);
	return i;
}

/* A NULL array is readable (the kernel takes it as empty; callers that
 * refuse it say so themselves). */
static bool strv_ok(struct ua *ua, char *const *v)
{
	if (v == NULL)
		return true;
	for (size_t i = 0, proven = 0;; i++) {
		if (!page_ok(ua, (uintptr_t)&v[i]) ||
		    !page_ok(ua, (uintptr_t)&v[i] + sizeof(v[i]) - 1))
			return false;
		if (i >= proven)
			proven = strv_prove(ua, v, i);
		if (v[i] == NULL)
			return true;
		if (!str_ok(ua, v[i]))
			return false;
	}
}

/* One string (a path: every open and stat of the program): its pages
 * follow one another, so none is asked twice without the seen set, whose
 * 0.5 KiB of zeroes each call would otherwise clear. */
bool shim_user_str_ok(const char *s)
{
	if (s == NULL)
		return false;
	for (;;) {
		uintptr_t at = (uintptr_t)s;
		size_t left = UA_PAGE - (at & (UA_PAGE - 1));

		if (!page_prove(at & ~(uintptr_t)(UA_PAGE - 1)))
			return false;
		if (has_nul(s, left))
			return true;
		s += left;
	}
}

bool shim_user_exec_ok(const char *path, char *const argv[], char *const envp[])
{
	struct ua ua = { { 0 }, 0, 0 };

	return (path == NULL || str_ok(&ua, path)) && strv_ok(&ua, argv) && strv_ok(&ua, envp);
}
