/* system.c — system, popen, pclose on top of the spawn and wait wrappers (glibc's spawn internally). */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define SHELL_PATH "/bin/sh"
#define POPEN_SLOTS 64

/*
 * system() per POSIX: SIGINT and SIGQUIT ignored and SIGCHLD blocked in the
 * caller while the command runs; the child gets the caller's old mask and
 * default SIGINT/SIGQUIT; the status as glibc gives it (127 exit status if
 * the shell could not be started).  Unlike glibc, concurrent system() calls
 * from several threads do not share a reference count for the ignored
 * signals (each saves and restores its own).
 */
SHIM_EXPORT int system(const char *cmd)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	sigset_t chld, old_mask, defs;
	posix_spawnattr_t attr;
	pid_t pid;
	int status = -1, rc, err = 0;

	shim_init();
	if (shim_mode() == SHIM_MODE_NONE)
		return REAL(system)(cmd);
	if (cmd == NULL)
		return 1; /* a shell is available (/bin/sh) */
	sigemptyset(&ign.sa_mask);
	REAL(sigaction)(SIGINT, &ign, &old_int);
	REAL(sigaction)(SIGQUIT, &ign, &old_quit);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, &old_mask);

	sigemptyset(&defs);
	if (old_int.sa_handler != SIG_IGN)
		sigaddset(&defs, SIGINT);
	if (old_quit.sa_handler != SIG_IGN)
		sigaddset(&defs, SIGQUIT);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &old_mask);
	posix_spawnattr_setsigdefault(&attr, &defs);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	rc = shim_spawn(&pid, SHELL_PATH, NULL, &attr, argv, environ, false);
	posix_spawnattr_destroy(&attr);
	if (rc == 0) {
		pid_t got;
		do
			got = shim_wait4(pid, &status, 0, NULL);
		while (got == -EINTR);
		if (got < 0) {
			status = -1;
			err = -got;
		}
	} else {
		status = W_EXITCODE(127, 0);
	}
	REAL(sigaction)(SIGINT, &old_int, NULL);
	REAL(sigaction)(SIGQUIT, &old_quit, NULL);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	if (err != 0)
		shim_errno_keep(err);
	return status;
}

/* popen'd streams: FILE* -> child vpid.  The spinlock is taken with
 * signals blocked (popen/pclose are not signal-safe, but must be
 * thread-safe). */
struct popen_slot {
	FILE *fp;   /* NULL: free */
	pid_t vpid; /* the child, waited for by pclose */
	int fd;     /* the parent's pipe end (closed in later popen children) */
};
static struct popen_slot popen_tab[POPEN_SLOTS];
static atomic_int popen_lock;

static void tab_lock(sigset_t *old)
{
	int expect = 0;

	shim_block(old);
	while (!atomic_compare_exchange_weak(&popen_lock, &expect, 1))
		expect = 0;
}

static void tab_unlock(const sigset_t *old)
{
	atomic_store(&popen_lock, 0);
	shim_unblock(old);
}

SHIM_EXPORT FILE *popen(const char *cmd, const char *mode)
{
	posix_spawn_file_actions_t fa;
	int fds[2], parent_end, child_end, target, rc, cloexec = 0;
	bool reading;
	pid_t pid;
	sigset_t old;
	FILE *fp;

	shim_init();
	if (shim_mode() == SHIM_MODE_NONE)
		return REAL(popen)(cmd, mode);
	/* mode is read as glibc reads it: NULL faults there too (nonnull). */
	if ((mode[0] != 'r' && mode[0] != 'w') ||
	    strspn(mode + 1, "e") != strlen(mode + 1)) {
		errno = EINVAL;
		return NULL;
	}
	reading = mode[0] == 'r';
	if (strchr(mode, 'e') != NULL)
		cloexec = 1;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return NULL;
	parent_end = reading ? fds[0] : fds[1];
	child_end = reading ? fds[1] : fds[0];
	target = reading ? STDOUT_FILENO : STDIN_FILENO;
	if (child_end == target) {
		/* dup2 onto itself would keep close-on-exec: move it away. */
		int moved = fcntl(child_end, F_DUPFD_CLOEXEC, 3);
		shim_close(child_end);
		if (moved < 0) {
			shim_close(parent_end);
			return NULL;
		}
		child_end = moved;
	}
	if (posix_spawn_file_actions_init(&fa) != 0) {
		shim_close(fds[0]);
		shim_close(fds[1]);
		errno = ENOMEM;
		return NULL;
	}
	posix_spawn_file_actions_adddup2(&fa, child_end, target);
	/* POSIX: streams of earlier popen calls are closed in the child. */
	tab_lock(&old);
	for (int i = 0; i < POPEN_SLOTS; i++)
		if (popen_tab[i].fp != NULL && popen_tab[i].fd != target)
			posix_spawn_file_actions_addclose(&fa, popen_tab[i].fd);
	tab_unlock(&old);
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	rc = shim_spawn(&pid, SHELL_PATH, &fa, NULL, argv, environ, false);
	posix_spawn_file_actions_destroy(&fa);
	shim_close(child_end);
	if (rc != 0) {
		shim_close(parent_end);
		errno = rc;
		return NULL;
	}
	if (!cloexec)
		fcntl(parent_end, F_SETFD, 0);
	fp = fdopen(parent_end, reading ? "r" : "w");
	if (fp == NULL) {
		int e = errno;
		shim_close(parent_end);
		shim_wait4(pid, NULL, 0, NULL);
		errno = e;
		return NULL;
	}
	tab_lock(&old);
	for (int i = 0; i < POPEN_SLOTS; i++) {
		if (popen_tab[i].fp == NULL) {
			popen_tab[i] = (struct popen_slot){ fp, pid, parent_end };
			pid = 0;
			break;
		}
	}
	tab_unlock(&old);
	if (pid != 0) {
		/* Table full: refuse, like an out-of-memory popen. */
		fclose(fp);
		shim_wait4(pid, NULL, 0, NULL);
		errno = EMFILE;
		return NULL;
	}
	return fp;
}

SHIM_EXPORT int pclose(FILE *fp)
{
	pid_t vpid = 0, got;
	int status = -1;
	sigset_t old;

	shim_init();
	tab_lock(&old);
	for (int i = 0; i < POPEN_SLOTS; i++) {
		if (popen_tab[i].fp == fp && fp != NULL) {
			vpid = popen_tab[i].vpid;
			popen_tab[i].fp = NULL;
			break;
		}
	}
	tab_unlock(&old);
	if (vpid == 0)
		return REAL(pclose)(fp); /* not ours: glibc's answer */
	fclose(fp);
	do
		got = shim_wait4(vpid, &status, 0, NULL);
	while (got == -EINTR);
	if (got < 0) {
		errno = -got;
		return -1;
	}
	return status;
}
