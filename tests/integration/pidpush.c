/* pidpush.c — as pid 1 of a fresh pid namespace, move its next real pids far from 1, then exec. */

/*
 * pidpush PROG ARGS...
 *
 * In a fresh pid namespace the kernel hands out 1, 2, 3, ... which is just
 * what jobshim's virtual pids are (jobshim 1, its command 2, ...): a shim
 * call that forgets to translate a pid would then give the right answer by
 * luck, and no test could see it.  Run as the namespace's pid 1 (right
 * after `unshare --pid --fork`), pidpush makes the next real pid some
 * 10000 + random(10000), then execs PROG, which stays pid 1.  Only shim
 * runs use it: native runs keep the kernel's own small numbers, which are
 * the expected outputs' truth.
 *
 * The push writes /proc/sys/kernel/ns_last_pid (root, or root of the user
 * namespace owning the pid namespace).  When that is refused (an older
 * kernel under `unshare --map-root-user`, a read-only /proc/sys), it spends
 * the ids instead: threads that exit at once, until one's tid reaches the
 * target.  PIDPUSH_BASE=N fixes the target (to replay a run).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static int read_int(const char *path, int dflt)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return dflt;
	buf[n] = '\0';
	return atoi(buf);
}

static int pick_base(void)
{
	const char *env = getenv("PIDPUSH_BASE");
	if (env && atoi(env) > 1)
		return atoi(env);
	unsigned int r = 0;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
		r = (unsigned int)getpid() ^ (unsigned int)(size_t)&r;
	int base = 10000 + (int)(r % 10000);
	/* Leave room below pid_max: the kernel wraps to low numbers after it. */
	int max = read_int("/proc/sys/kernel/pid_max", 32768);
	if (base > max / 2)
		base = max / 2;
	return base;
}

static int write_last_pid(int last)
{
	char buf[32];
	int len = snprintf(buf, sizeof buf, "%d", last);
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = write(fd, buf, (size_t)len) == len ? 0 : -errno;
	close(fd);
	return rc;
}

static void *spent(void *arg)
{
	*(pid_t *)arg = gettid();
	return NULL;
}

/* Each thread takes one id from the namespace's counter and frees it. */
static int spend_ids(int base)
{
	pid_t tid = 0;
	while (tid < base) {
		pthread_t t;
		int err = pthread_create(&t, NULL, spent, &tid);
		if (err)
			return -err;
		pthread_join(t, NULL);
		if (tid <= 1)
			return -EAGAIN;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pidpush PROG [ARGS...]\n");
		return 125;
	}
	/* Never move the pids of a namespace that is not our own new one. */
	if (getpid() != 1) {
		fprintf(stderr, "pidpush: must be pid 1 of a new pid namespace (unshare --pid --fork)\n");
		return 125;
	}
	int base = pick_base();
	int wr = write_last_pid(base - 1);
	if (wr < 0) {
		int sp = spend_ids(base);
		if (sp < 0) {
			fprintf(stderr, "pidpush: ns_last_pid: %s; spending ids: %s\n", strerror(-wr),
				strerror(-sp));
			return 125;
		}
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "pidpush: exec %s: %s\n", argv[1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
