/* t_lastpid.c — a write to /proc/sys/kernel/ns_last_pid sets the next pid, as CRIU and LTP's pidfd_send_signal03 use it (write, dprintf, fopen + fprintf), and a read shows the last one given. */
#include "lib/itest.h"

#include <sys/stat.h>

/*
 * Natively this runs in a pid namespace of its own (as the tree is one
 * under jobshim): a fork, reaped, then "<its pid - 1>" written, and the
 * next fork has that pid again.  A write the kernel refuses (a negative
 * number, text) or ignores (at an offset past 0) changes nothing.  Pids
 * are compared, never printed.  Writing needs CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE over the namespace: without it (not root) the
 * open for writing works and the write is EPERM on both sides; the test
 * then prints what it would have.
 */

static const char *const LAST = "/proc/sys/kernel/ns_last_pid";

static long read_last(void)
{
	FILE *f = fopen(LAST, "r");
	long v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -2;
	fclose(f);
	return v;
}

/* pwrite at offset 0 (each sysctl write starts there): its result. */
static void refused(int fd, const char *text)
{
	ssize_t n;

	errno = 0;
	n = pwrite(fd, text, strlen(text), 0);
	it_out("write \"%s\": %zd %s", text, n, n < 0 ? it_errname(errno) : "");
}

static void would_print(void)
{
	static const char *const lines[] = {
		"read after a fork: that child",
		"fopen + fprintf + fclose: 0",
		"read after the write: the number written",
		"fork after it: the reaped child's pid again",
		"fileno of the stream: its descriptor",
		"write: ok",
		"fork after it: the reaped child's pid again",
		"write at offset 2: ok",
		"fork after it: ignored",
		"write \"-1\": -1 EINVAL",
		"write \"x\": -1 EINVAL",
		"write \"5x\": -1 EINVAL",
		"dprintf of pid + 100: ok",
		"fork after it: pid + 101",
		"a child's fork after it: pid + 102, its child + 103",
		"fopen + fprintf of text, fclose: -1 EINVAL",
		NULL,
	};
	for (int i = 0; lines[i] != NULL; i++)
		it_out("%s", lines[i]);
}

int main(int argc, char **argv)
{
	char t[32];
	pid_t a, b;
	FILE *f;
	int fd, n, rc;
	struct stat s1, s2;

	it_child_modes(argc, argv);
	it_init();
	a = it_dead_pid();
	fd = open(LAST, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dprintf(fd, "%d", (int)a) < 0) {
		if (errno != EPERM && errno != EACCES)
			it_die("ns_last_pid");
		would_print();
		return 0;
	}
	close(fd);
	b = it_dead_pid();
	it_out("read after a fork: %s", read_last() == b ? "that child" : "another pid");

	/* LTP's SAFE_FILE_PRINTF: fopen, vfprintf, fclose */
	a = b;
	f = fopen(LAST, "w");
	if (f == NULL)
		it_die("fopen ns_last_pid");
	fprintf(f, "%d", (int)a - 1);
	it_out("fopen + fprintf + fclose: %d", fclose(f));
	it_out("read after the write: %s", read_last() == a - 1 ? "the number written" : "another");
	b = it_dead_pid();
	it_out("fork after it: %s", b == a ? "the reaped child's pid again" : "another pid");
	f = fopen(LAST, "we");
	it_out("fileno of the stream: %s", f != NULL && fileno(f) >= 0 && fstat(fileno(f), &s1) == 0 &&
	       stat(LAST, &s2) == 0 && s1.st_ino == s2.st_ino ? "its descriptor" : "none");
	if (f != NULL)
		fclose(f);

	fd = open(LAST, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		it_die("open ns_last_pid");
	n = snprintf(t, sizeof t, "%d\n", (int)a - 1);
	it_out("write: %s", write(fd, t, (size_t)n) == n ? "ok" : it_errname(errno));
	b = it_dead_pid();
	it_out("fork after it: %s", b == a ? "the reaped child's pid again" : "another pid");
	/* the descriptor is at offset 2 or more now: accepted, ignored */
	n = snprintf(t, sizeof t, "%d", (int)a + 50);
	it_out("write at offset 2: %s", write(fd, t, (size_t)n) == n ? "ok" : it_errname(errno));
	b = it_dead_pid();
	it_out("fork after it: %s", b == a + 1 ? "ignored" : "moved");
	refused(fd, "-1");
	refused(fd, "x");
	refused(fd, "5x");
	lseek(fd, 0, SEEK_SET);
	rc = dprintf(fd, "%d", (int)a + 100);
	it_out("dprintf of pid + 100: %s", rc > 0 ? "ok" : it_errname(errno));
	b = it_dead_pid();
	it_out("fork after it: %s", b == a + 101 ? "pid + 101" : "another pid");
	/* a child's fork takes the next one too */
	struct it_chan ch = it_chan();
	b = fork();
	if (b == 0) {
		pid_t g = it_dead_pid();
		it_put(ch, g == a + 103 ? 'y' : 'n');
		_exit(0);
	}
	it_out("a child's fork after it: %s", it_get(ch) == 'y' && b == a + 102 ? "pid + 102, its child + 103" : "another pid");
	it_reap(b);
	close(fd);

	f = fopen(LAST, "w");
	if (f == NULL)
		it_die("fopen ns_last_pid");
	fprintf(f, "zz");
	errno = 0;
	rc = fclose(f);
	it_out("fopen + fprintf of text, fclose: %d %s", rc, rc < 0 ? it_errname(errno) : "");
	return 0;
}
