/* log.c — per-process log lines with pids as labels. */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsd.h"
#include "shared.h"

void log_open(struct jsd *j)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s.log", j->logdir, j->scn.procs[j->self].name);
	if (j->logfd >= 0)
		close(j->logfd);
	j->logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (j->logfd < 0)
		jsd_die("cannot open %s", path);
}

void log_line(struct jsd *j, int idx, const char *fmt, ...)
{
	char buf[1024];
	int n = snprintf(buf, sizeof buf, "%s %d: ", j->scn.procs[j->self].name, idx);
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	for (int off = 0; off < n;) {
		ssize_t w = write(j->logfd, buf + off, n - off);
		if (w <= 0)
			jsd_die("log write failed");
		off += w;
	}
}

void log_pid(struct jsd *j, int pid, char *out, int outlen)
{
	shared_label(j->sh, &j->scn, pid, out, outlen);
}

const char *log_signame(int sig, char *buf, int buflen)
{
	const char *a = sig > 0 && sig < 32 ? sigabbrev_np(sig) : NULL;
	if (a)
		snprintf(buf, buflen, "%s", a);
	else
		snprintf(buf, buflen, "%d", sig);
	return buf;
}

void log_status(int status, char *out, int outlen)
{
	char sig[16];
	if (WIFEXITED(status))
		snprintf(out, outlen, "exited(%d)", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, outlen, "signaled(%s%s)", log_signame(WTERMSIG(status), sig, sizeof sig),
			 WCOREDUMP(status) ? ",core" : "");
	else if (WIFSTOPPED(status))
		snprintf(out, outlen, "stopped(%s)", log_signame(WSTOPSIG(status), sig, sizeof sig));
	else if (WIFCONTINUED(status))
		snprintf(out, outlen, "continued");
	else
		snprintf(out, outlen, "unknown");
	size_t n = strlen(out);
	snprintf(out + n, outlen - n, " [0x%04x]", (unsigned)status);
}
