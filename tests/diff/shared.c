/* shared.c — the shared region: pid slots and first-seen labels. */
#include "shared.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SHARED_MAGIC 0x6a736466u

static struct shared *shared_map(const char *logdir, int flags)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/shared", logdir);
	int fd = open(path, flags | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	if ((flags & O_CREAT) && ftruncate(fd, sizeof(struct shared)) < 0) {
		close(fd);
		return NULL;
	}
	void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

struct shared *shared_create(const char *logdir)
{
	struct shared *sh = shared_map(logdir, O_CREAT | O_EXCL);
	if (sh)
		__atomic_store_n(&sh->magic, SHARED_MAGIC, __ATOMIC_RELEASE);
	return sh;
}

struct shared *shared_open(const char *logdir)
{
	struct shared *sh = shared_map(logdir, 0);
	if (sh && __atomic_load_n(&sh->magic, __ATOMIC_ACQUIRE) != SHARED_MAGIC) {
		munmap(sh, sizeof *sh);
		return NULL;
	}
	return sh;
}

void shared_set(struct shared *sh, int proc, int vpid, int rpid)
{
	if (vpid)
		__atomic_store_n(&sh->slot[proc].vpid, vpid, __ATOMIC_RELEASE);
	if (rpid)
		__atomic_store_n(&sh->slot[proc].rpid, rpid, __ATOMIC_RELEASE);
}

int shared_vpid(const struct shared *sh, int proc)
{
	return __atomic_load_n(&sh->slot[proc].vpid, __ATOMIC_ACQUIRE);
}

int shared_rpid_wait(const struct shared *sh, int proc)
{
	/* A sync may name a process that its parent has not forked yet (a
	 * generated scenario's next actor starts waiting right away), or a
	 * child that has not been scheduled yet: wait for it to register. */
	for (int i = 0; i < 15000; i++) {
		int r = __atomic_load_n(&sh->slot[proc].rpid, __ATOMIC_ACQUIRE);
		if (r)
			return r;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return 0;
}

void shared_stop_count(struct shared *sh, int proc)
{
	__atomic_add_fetch(&sh->slot[proc].stops, 1, __ATOMIC_RELEASE);
}

int shared_stops(const struct shared *sh, int proc)
{
	return __atomic_load_n(&sh->slot[proc].stops, __ATOMIC_ACQUIRE);
}

bool shared_is_tree(const struct shared *sh, int pid)
{
	if (pid <= 1)
		return false;
	for (int i = 0; i < SCN_MAX_PROCS; i++)
		if (__atomic_load_n(&sh->slot[i].vpid, __ATOMIC_RELAXED) == pid ||
		    __atomic_load_n(&sh->slot[i].rpid, __ATOMIC_RELAXED) == pid)
			return true;
	return false;
}

void shared_label(struct shared *sh, const struct scn *s, int pid, char *out, int outlen)
{
	if (pid == 1) {
		snprintf(out, outlen, "init");
		return;
	}
	if (pid <= 0) {
		snprintf(out, outlen, "%d", pid);
		return;
	}
	for (int i = 0; i < s->nprocs; i++)
		if (shared_vpid(sh, i) == pid) {
			snprintf(out, outlen, "%s", s->procs[i].name);
			return;
		}
	int n = sh->nunknown;
	for (int i = 0; i < n; i++)
		if (sh->unknown[i] == pid) {
			snprintf(out, outlen, "?%d", i + 1);
			return;
		}
	if (n < SHARED_MAX_UNKNOWN) {
		sh->unknown[n] = pid;
		sh->nunknown = n + 1;
		snprintf(out, outlen, "?%d", n + 1);
	} else {
		snprintf(out, outlen, "?overflow");
	}
}
