/* t_acct.c — process accounting records read back from the file acct() named carry the pids the reader knows: the child's and its parent's (LTP acct02). */
#include "lib/itest.h"

#include <linux/acct.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * The kernel writes a struct acct_v3 for every process that exits, with
 * ac_pid and ac_ppid as the acct() caller's pid namespace numbers them.
 * Natively this runs in a pid namespace of its own, as the tree is one.
 * The file is opened before acct() (as LTP does) and read with read(); a
 * child exits with a code no other process here uses, and its record is
 * found by that code.  Needs CAP_SYS_PACCT and a kernel with v3
 * accounting; without them the test prints what it would have.
 */

static void would_print(void)
{
	it_out("acct(file): 0");
	it_out("the child's record: pid the child, ppid us");
	it_out("a grandchild's record: pid the grandchild, ppid the child");
}

/* The v3 record with exit code `code` (the kernel's wait status), from
 * the start of fd. */
static bool find(int fd, int code, struct acct_v3 *out)
{
	struct acct_v3 r;

	if (lseek(fd, 0, SEEK_SET) != 0)
		it_die("lseek");
	while (read(fd, &r, sizeof r) == (ssize_t)sizeof r)
		if ((r.ac_version & 0x7f) == 3 && r.ac_exitcode == (uint32_t)code) {
			*out = r;
			return true;
		}
	return false;
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/jobshim-t-acct-XXXXXX";
	struct acct_v3 r;
	pid_t child, grand = 0;
	int fd, p[2];

	it_child_modes(argc, argv);
	it_init();
	fd = mkstemp(path);
	if (fd < 0)
		it_die("mkstemp");
	if (acct(path) != 0) {
		if (errno != EPERM && errno != ENOSYS)
			it_die("acct");
		would_print();
		unlink(path);
		return 0;
	}
	it_out("acct(file): 0");
	if (pipe(p) != 0)
		it_die("pipe");
	child = fork();
	if (child == 0) {
		grand = fork();
		if (grand == 0)
			_exit(43);
		waitpid(grand, NULL, 0);
		it_put_rec(p[1], &grand, sizeof grand);
		_exit(42);
	}
	it_reap(child);
	if (it_get_rec(p[0], &grand, sizeof grand) != 0)
		it_die("grandchild's pid");
	acct(NULL);
	if (!find(fd, 42 << 8, &r))
		it_out("the child's record: none");
	else
		it_out("the child's record: pid %s, ppid %s", (pid_t)r.ac_pid == child ? "the child" : "another",
		       (pid_t)r.ac_ppid == getpid() ? "us" : "another");
	if (!find(fd, 43 << 8, &r))
		it_out("a grandchild's record: none");
	else
		it_out("a grandchild's record: pid %s, ppid %s",
		       (pid_t)r.ac_pid == grand ? "the grandchild" : "another",
		       (pid_t)r.ac_ppid == child ? "the child" : "another");
	close(fd);
	unlink(path);
	return 0;
}
