/* t_fanexec.c — a fanotify permission listener that answers only the events it expects, on an image a child execs or spawns: the exec fails as natively, and never waits for an answer that does not come. */
#include "lib/itest.h"

#include <poll.h>
#include <spawn.h>
#include <stdbool.h>
#include <sys/fanotify.h>
#include <sys/stat.h>

/*
 * The exec wrappers read an image before running it (shim/elfscan.c: does
 * it need the shim?).  That open is one more FAN_OPEN_PERM event.  LTP's
 * fanotify03 answers exactly the events it expects, denying the last one
 * (the exec's): under jobshim that answer went to the scan's open, the
 * exec went on, and its own open waited for the listener forever.  Here a
 * listener answers one event and then only watches: natively the exec
 * fails with the errno of the answer, and so must it under jobshim, with
 * no second event.  Should one come, the child's exit is awaited for a
 * few seconds (a hang guard, never reached when it passes), then the
 * listener goes, which lets the pending open through.
 *
 * Root only (fanotify_init needs CAP_SYS_ADMIN): without it both runs
 * print the same line.
 */

#ifndef FAN_DENY_ERRNO
#define FAN_DENY_ERRNO(e) (FAN_DENY | ((((__u32)(e)) & 0xff) << 24))
#endif

static char image[64];

/* A fresh copy of /bin/true, scanned by the exec wrapper (it_copy_exe). */
static void make_image(const char *dir)
{
	snprintf(image, sizeof image, "%s/prog", dir);
	it_copy_exe("/bin/true", image);
}

/* One case: a mark of `mask` on the image; the child execs it; the first
 * event is answered `response`, any later one is not. */
static void run_case(const char *name, unsigned int class, unsigned long long mask,
		     unsigned int response, const char *dir, bool spawn)
{
	int fan, done[2];

	make_image(dir);
	fan = fanotify_init(class | FAN_CLOEXEC, O_RDONLY);
	if (fan < 0) {
		it_out("%s: fanotify_init refused", name);
		return;
	}
	if (fanotify_mark(fan, FAN_MARK_ADD, mask, AT_FDCWD, image) < 0) {
		it_out("%s: fanotify_mark %s", name, it_errname(errno));
		close(fan);
		return;
	}
	/* The child holds the write end: its exit (or a successful exec's
	 * end) is the read end's EOF. */
	if (pipe(done) < 0)
		it_die("pipe");
	pid_t c = it_fork("execer");
	if (c == 0) {
		close(fan);
		close(done[0]);
		/* The errno of the refusal is the exit status; 0: it ran. */
		char *argv[] = { image, NULL };
		if (spawn) {
			/* The event is the grandchild's natively, ours under
			 * jobshim (its scan): only its kind is printed. */
			pid_t g;
			int rc = posix_spawn(&g, image, NULL, NULL, argv, environ);
			if (rc == 0)
				it_reap(g);
			_exit(rc);
		}
		execve(image, argv, environ);
		_exit(errno);
	}
	close(done[1]);
	/* The errno the listener's answer means: its own where the kernel
	 * takes FAN_DENY_ERRNO (Linux 6.13), else FAN_DENY's EPERM. */
	int said = EPERM;

	int answered = 0, unanswered = 0, exited = 0;
	struct pollfd pf[2] = { { .fd = fan, .events = POLLIN }, { .fd = done[0], .events = POLLIN } };
	while (!exited) {
		/* The guard: a second event that is never answered holds
		 * the child in its exec; after 5 s the listener goes. */
		int timeout = unanswered > 0 ? 5000 : -1;
		int n = poll(pf, 2, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			it_die("poll");
		if (n == 0) {
			close(fan);
			fan = -1;
			pf[0].fd = -1;
			it_out("%s: an unanswered event held the exec; the listener went", name);
			unanswered = -1000;
			continue;
		}
		if (pf[0].revents & POLLIN) {
			char buf[4096];
			ssize_t len = read(fan, buf, sizeof buf);
			struct fanotify_event_metadata *ev = (void *)buf;
			for (; len > 0 && FAN_EVENT_OK(ev, len); ev = FAN_EVENT_NEXT(ev, len)) {
				const char *who = spawn ? "the tree" : ev->pid == c ? "the child" : "another process";
				if (answered == 0) {
					struct fanotify_response r = { .fd = ev->fd, .response = response };
					/* Said before the answer: the child's
					 * line comes after it. */
					it_out("%s: event %s from %s, answered", name,
					       ev->mask & FAN_OPEN_EXEC_PERM ? "OPEN_EXEC_PERM"
					       : ev->mask & FAN_OPEN_PERM    ? "OPEN_PERM"
					       : ev->mask & FAN_ACCESS_PERM  ? "ACCESS_PERM"
									     : "other",
					       who);
					if (write(fan, &r, sizeof r) == sizeof r) {
						if (response != FAN_DENY)
							said = (int)(response >> 24);
					} else {
						/* FAN_DENY_ERRNO unknown to the kernel */
						r.response = FAN_DENY;
						if (write(fan, &r, sizeof r) != sizeof r)
							it_die("fanotify response");
					}
					answered++;
				} else {
					it_out("%s: one more event from %s", name, who);
					unanswered++;
				}
				if (ev->fd >= 0)
					close(ev->fd);
			}
		}
		if (pf[1].revents & (POLLIN | POLLHUP))
			exited = 1;
	}
	int st = it_reap(c);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		it_out("%s: the %s ran", name, spawn ? "spawn" : "exec");
	else if (WIFEXITED(st) && WEXITSTATUS(st) == said)
		it_out("%s: the %s failed with the listener's errno", name, spawn ? "spawn" : "exec");
	else if (WIFEXITED(st))
		it_out("%s: the %s failed with %s, the listener said %s", name,
		       spawn ? "spawn" : "exec", it_errname(WEXITSTATUS(st)), it_errname(said));
	else
		it_out("%s: child %s", name, it_status(st));
	close(done[0]);
	if (fan >= 0)
		close(fan);
}

int main(void)
{
	char dir[] = "/tmp/t_fanexec.XXXXXX";

	it_init();
	if (!mkdtemp(dir))
		it_die("mkdtemp");
	/* Only the opens asked about: the exec's own is the one event. */
	run_case("open-perm deny", FAN_CLASS_CONTENT, FAN_OPEN_PERM, FAN_DENY, dir, false);
	/* An errno of the listener's choosing (Linux 6.13: a pre-content
	 * group's; else the kernel takes a plain FAN_DENY, both sides). */
	run_case("open-perm deny EBUSY", FAN_CLASS_PRE_CONTENT, FAN_OPEN_PERM,
		 FAN_DENY_ERRNO(EBUSY), dir, false);
	/* The exec's open only: the scan's open and reads are no event. */
	run_case("exec-perm deny", FAN_CLASS_CONTENT, FAN_OPEN_EXEC_PERM, FAN_DENY, dir, false);
	run_case("access+exec-perm deny", FAN_CLASS_CONTENT, FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM,
		 FAN_DENY, dir, false);
	/* posix_spawn: the scan is the spawner's own open. */
	run_case("spawn open-perm deny", FAN_CLASS_CONTENT, FAN_OPEN_PERM, FAN_DENY, dir, true);
	unlink(image);
	rmdir(dir);
	return 0;
}
