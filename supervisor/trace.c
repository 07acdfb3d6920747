/* trace.c — the --trace writer: one JSON object per line, or readable text. */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * An event is written in one go: trace_begin, fields, trace_end.  In JSON
 * mode the fields make the object and trace_end's text is dropped; in text
 * mode ("--trace -", on stderr) only trace_end's sentence is printed.  The
 * stream is fully buffered and flushed once per loop iteration (run.c), so
 * tracing costs no system call per event.  Schema: docs/trace.md.
 *
 * A write that fails (ENOSPC, EIO, ...) is said once on stderr and ends
 * the trace: a regular file is cut back to the last flush, a record
 * boundary, so that it holds whole records only; the command runs on, and
 * run.c turns a would-be exit 0 into 125 (the trace asked for is
 * incomplete).  EPIPE on "--trace -" is the reader of our stderr gone: the
 * trace stops quietly and the exit status is the command's.
 */

int trace_open(struct trace *t, const char *path)
{
	int fd;

	struct stat sb;

	t->f = NULL;
	t->text = false;
	t->t0 = sup_now();
	t->path = path;
	t->regular = false;
	t->synced = 0;
	t->failed = false;
	t->werr = 0;
	t->len = 0;
	if (!path)
		return 0;
	if (strcmp(path, "-") == 0) {
		/* A private stream on a dup of stderr: our buffering, not stdio's
		 * unbuffered stderr, and closing it leaves fd 2 alone. */
		fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return -errno;
		t->f = fdopen(fd, "w");
		if (!t->f) {
			int err = errno;
			close(fd);
			return -err;
		}
		t->text = true;
		__fsetlocking(t->f, FSETLOCKING_BYCALLER); /* one thread writes it */
		return 0;
	}
	t->f = fopen(path, "we");
	if (!t->f)
		return -errno;
	t->regular = fstat(fileno(t->f), &sb) == 0 && S_ISREG(sb.st_mode);
	__fsetlocking(t->f, FSETLOCKING_BYCALLER); /* one thread writes it */
	return 0;
}

/* A write of the trace failed with err: stop tracing (see the top). */
static void trace_fail(struct trace *t, int err)
{
	FILE *f = t->f;

	t->f = NULL;
	__fpurge(f); /* what is still buffered must not follow the cut */
	if (t->text && err == EPIPE) {
		fclose(f);
		return;
	}
	t->failed = true;
	if (t->regular)
		(void)!ftruncate(fileno(f), t->synced);
	fclose(f);
	fprintf(stderr, "jobshim: --trace %s: %s: the trace is incomplete%s\n",
		t->text ? "-" : t->path, strerror(err),
		t->regular ? " (it ends with the last record written whole)" : "");
}

void trace_flush(struct trace *t)
{
	int rc, err;

	if (!t->f)
		return;
	/* fflush first: it retries what an automatic flush could not write,
	 * and its errno says why. */
	rc = fflush(t->f);
	err = errno;
	if (rc != 0 || ferror(t->f)) {
		/* A write that failed inside fwrite left only the error flag:
		 * its errno was kept (put_out); EIO if even that is lost. */
		trace_fail(t, t->werr ? t->werr : rc != 0 ? err : EIO);
		return;
	}
	if (t->regular)
		t->synced = ftello(t->f);
}

void trace_close(struct trace *t)
{
	trace_flush(t);
	if (t->f && fclose(t->f) != 0) {
		t->failed = true;
		fprintf(stderr, "jobshim: --trace %s: %s: the trace is incomplete\n",
			t->text ? "-" : t->path, strerror(errno));
	}
	t->f = NULL;
}

/* A JSON record is made in t->rec from text formatted here and goes to
 * the stream in one fwrite at trace_end: fprintf's format parsing and
 * %f's floating point, then one stdio call per piece, were a third of the
 * supervisor's time in a traced run of short-lived processes.  A record
 * longer than the buffer goes out in pieces. */
/* To the stream; the errno of a write stdio makes inside fwrite (its
 * buffer full) is kept for trace_flush's message, as fflush's would be. */
static void put_out(struct trace *t, const void *v, size_t n)
{
	errno = 0;
	if (fwrite(v, 1, n, t->f) != n && t->werr == 0)
		t->werr = errno != 0 ? errno : EIO;
}

static void put_raw(struct trace *t, const char *v, size_t n)
{
	if (t->len + n > sizeof(t->rec)) {
		put_out(t, t->rec, t->len);
		t->len = 0;
		if (n > sizeof(t->rec)) {
			put_out(t, v, n);
			return;
		}
	}
	memcpy(t->rec + t->len, v, n);
	t->len += n;
}

static void put_lit(struct trace *t, const char *v)
{
	put_raw(t, v, strlen(v));
}

static void put_i64(struct trace *t, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	put_raw(t, p, (size_t)(buf + sizeof(buf) - p));
}

/* ns as seconds with six decimals, rounded to the microsecond (%.6f). */
static void put_secs(struct trace *t, int64_t ns)
{
	/* Rounded half away from zero without ns + 500 or -ns, which overflow
	 * at the ends of the range (an event record's time is the writer's
	 * word: the fuzzer wrote INT64_MAX). */
	int64_t us = ns / 1000, rem = ns % 1000;
	char frac[7] = ".";

	if (rem >= 500)
		us++;
	else if (rem <= -500)
		us--;

	if (us < 0) {
		put_raw(t, "-", 1);
		us = -us;
	}
	put_i64(t, us / 1000000);
	for (int i = 6, f = (int)(us % 1000000); i >= 1; i--, f /= 10)
		frac[i] = (char)('0' + f % 10);
	put_raw(t, frac, 7);
}

/* JSON string body with the escapes RFC 8259 requires. */
static void put_json_str(struct trace *t, const char *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)v, *run = p;

	put_raw(t, "\"", 1);
	for (; *p; p++) {
		if (*p != '"' && *p != '\\' && *p >= 0x20 && *p != 0x7f)
			continue;
		put_raw(t, (const char *)run, (size_t)(p - run));
		if (*p == '"' || *p == '\\') {
			char e[2] = {'\\', (char)*p};
			put_raw(t, e, 2);
		} else {
			char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
			put_raw(t, e, 6);
		}
		run = p + 1;
	}
	put_raw(t, (const char *)run, (size_t)(p - run));
	put_raw(t, "\"", 1);
}

static void put_key(struct trace *t, const char *key)
{
	if (!t->first)
		put_raw(t, ",", 1);
	t->first = false;
	put_json_str(t, key);
	put_raw(t, ":", 1);
}

/* When the event happened: now, or the time an event record was written
 * (events.c) -- but never before an event already in the file, whose
 * times go forward (a record is read a little after others were handled). */
static int64_t event_time(struct trace *t)
{
	int64_t at = t->at ? t->at : sup_now();

	if (at < t->last)
		at = t->last;
	t->last = at;
	return at;
}

void trace_begin(struct trace *t, const char *ev, int32_t vpid, int64_t rpid)
{
	if (!t->f || t->text)
		return;
	t->len = 0;
	put_lit(t, "{\"t\":");
	put_secs(t, event_time(t) - t->t0);
	put_lit(t, ",\"ev\":");
	put_json_str(t, ev);
	t->first = false;
	if (vpid > 0) {
		put_lit(t, ",\"vpid\":");
		put_i64(t, vpid);
	}
	if (rpid > 0) {
		put_lit(t, ",\"rpid\":");
		put_i64(t, rpid);
	} else if (vpid > 0) {
		put_lit(t, ",\"rpid\":null");
	}
}

void trace_int(struct trace *t, const char *key, int64_t v)
{
	if (!t->f || t->text)
		return;
	put_key(t, key);
	put_i64(t, v);
}

void trace_str(struct trace *t, const char *key, const char *v)
{
	if (!t->f || t->text)
		return;
	put_key(t, key);
	put_json_str(t, v);
}

void trace_null(struct trace *t, const char *key)
{
	if (!t->f || t->text)
		return;
	put_key(t, key);
	put_lit(t, "null");
}

void trace_bool(struct trace *t, const char *key, bool v)
{
	if (!t->f || t->text)
		return;
	put_key(t, key);
	put_lit(t, v ? "true" : "false");
}

void trace_ids(struct trace *t, const char *key, const int32_t *ids, size_t n)
{
	if (!t->f || t->text)
		return;
	put_key(t, key);
	put_raw(t, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			put_raw(t, ",", 1);
		put_i64(t, ids[i]);
	}
	put_raw(t, "]", 1);
}

void trace_json(struct trace *t, const char *key, const char *json)
{
	if (!t->f || t->text)
		return;
	put_key(t, key);
	put_lit(t, json);
}

void trace_end(struct trace *t, const char *fmt, ...)
{
	va_list ap;

	if (!t->f)
		return;
	if (!t->text) {
		put_raw(t, "}\n", 2);
		put_out(t, t->rec, t->len);
		t->len = 0;
		return;
	}
	fprintf(t->f, "jobshim: %10.6f ", (double)(event_time(t) - t->t0) / 1e9);
	va_start(ap, fmt);
	vfprintf(t->f, fmt, ap);
	va_end(ap);
	errno = 0;
	if (fputc('\n', t->f) == EOF && t->werr == 0)
		t->werr = errno != 0 ? errno : EIO;
}

const char *trace_errno(int err)
{
	const char *name;

	if (err < 0)
		err = -err;
	name = strerrorname_np(err);
	return name ? name : "E?";
}

const char *trace_signame(int sig, char *buf, size_t len)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (sig == 0)
		snprintf(buf, len, "0");
	else if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, len, "%d", sig);
	return buf;
}
