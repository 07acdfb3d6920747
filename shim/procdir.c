/* procdir.c — readdir of /proc/<vpid>/task shows the main thread as the vpid. */
#include "shim.h"

#include <dirent.h>
#include <stdatomic.h>
#include <string.h>

/*
 * Debuggers attach to every thread of a process: gdb and strace -f list
 * /proc/<pid>/task and attach each entry that is not the pid they already
 * hold.  The opendir wrapper (paths.c) opens the real directory, whose
 * main-thread entry is the real pid: the debugger would take it for a new
 * thread and attach it again (or, where that number is some other vpid,
 * attach a stranger).  So for a stream opened on /proc/<vpid>/task the
 * entry named by the real pid reads as the vpid, as gettid() answers in
 * that thread (thread.c); other threads' entries stay real ids, which
 * ptrace.c accepts as such.  Other directories cost one load of a counter.
 */

#define STREAMS 8

struct stream {
	_Atomic(void *) dir; /* NULL = free */
	char rname[16];      /* the real pid, as a directory entry name */
	char vname[16];      /* what to show instead */
};

static struct stream streams[STREAMS];
static _Atomic int nstreams; /* slots in use: 0 keeps readdir's cost nil */

/* "/proc/<n>/task" with optional trailing slashes: n, else 0. */
static pid_t task_dir_pid(const char *path)
{
	const char *p = path + 6;
	long n;

	if (strncmp(path, "/proc/", 6) != 0 || !shim_parse_int(&p, &n) || n <= 0 ||
	    strncmp(p, "/task", 5) != 0)
		return 0;
	for (p += 5; *p == '/'; p++)
		;
	return *p == '\0' ? (pid_t)n : 0;
}

void shim_procdir_opened(void *dir, const char *vpath, const char *rpath)
{
	pid_t v = task_dir_pid(vpath), r = task_dir_pid(rpath);

	if (dir == NULL || v <= 0 || r <= 0 || v == r)
		return;
	for (int i = 0; i < STREAMS; i++) {
		void *expect = NULL;
		struct stream *s = &streams[i];
		/* Claim with a placeholder, fill, then publish the stream. */
		if (!atomic_compare_exchange_strong(&s->dir, &expect, (void *)&streams))
			continue;
		s->rname[shim_fmt_int(s->rname, r)] = '\0';
		s->vname[shim_fmt_int(s->vname, v)] = '\0';
		atomic_fetch_add(&nstreams, 1);
		atomic_store(&s->dir, dir);
		return;
	}
	/* More than STREAMS listings open at once: this one stays real. */
}

static struct stream *find(void *dir)
{
	if (atomic_load_explicit(&nstreams, memory_order_relaxed) == 0)
		return NULL;
	for (int i = 0; i < STREAMS; i++)
		if (atomic_load_explicit(&streams[i].dir, memory_order_acquire) == dir)
			return &streams[i];
	return NULL;
}

/* The entry to return: a per-thread copy carrying the vpid when e is the
 * main thread's entry of a watched stream (glibc's own buffer is sized to
 * the real name, so it is not written in place). */
static SHIM_TLS struct dirent64 shown;

SHIM_EXPORT struct dirent64 *readdir64(DIR *dir)
{
	struct dirent64 *e;
	struct stream *s;

	shim_init();
	e = real.readdir64(dir);

	if (e == NULL || (s = find(dir)) == NULL || strcmp(e->d_name, s->rname) != 0)
		return e;
	memcpy(&shown, e, offsetof(struct dirent64, d_name));
	shim_strlcpy(shown.d_name, s->vname, sizeof(shown.d_name));
	shown.d_reclen = sizeof(shown);
	return &shown;
}

/* On LP64 glibc struct dirent and struct dirent64 are the same layout. */
_Static_assert(sizeof(struct dirent) == sizeof(struct dirent64), "dirent layout");

SHIM_EXPORT struct dirent *readdir(DIR *dir)
{
	struct dirent *e;
	struct stream *s;

	shim_init();
	e = real.readdir(dir);

	if (e == NULL || (s = find(dir)) == NULL || strcmp(e->d_name, s->rname) != 0)
		return e;
	memcpy(&shown, e, offsetof(struct dirent, d_name));
	shim_strlcpy(shown.d_name, s->vname, sizeof(shown.d_name));
	shown.d_reclen = sizeof(shown);
	return (struct dirent *)&shown;
}

SHIM_EXPORT int closedir(DIR *dir)
{
	struct stream *s;

	shim_init();
	s = find(dir);

	if (s != NULL) {
		void *expect = dir;
		if (atomic_compare_exchange_strong(&s->dir, &expect, NULL))
			atomic_fetch_sub(&nstreams, 1);
	}
	return real.closedir(dir);
}
