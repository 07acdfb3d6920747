/* procfs.c — /proc/<vpid>/stat, status, sched, task/<tid>/children, a pidfd's fdinfo and /proc/locks opened for reading: a memfd holding the file with virtual ids. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * ps, pgrep, pkill, pidof, killall and psutil find a process's parent,
 * group, session and terminal group in /proc/<pid>/stat (fields 1, 4, 5,
 * 6, 8) and status (Tgid, Pid, PPid, TracerPid, NStgid, NSpid, NSpgid,
 * NSsid), which the kernel writes with real numbers.  A read-only open of
 * those files (through open, open64, openat with an absolute path, the
 * fortified forms, fopen, fopen64) reads the real file, asks the
 * supervisor for the model's ids in one round trip (PROCIDS) and returns a
 * memfd holding the file with those fields rewritten; the reader's read,
 * lseek, fstat and close work on it as on any file.  Only these two names
 * pay; other /proc files go through procpath.c as before.
 *
 * task/<tid>/children too (no PROCIDS: each child's vpid, from the
 * caller's own table or the view; a tree-killing script reads
 * every /proc/<pid>/task/<tid>/children to find the descendants).
 *
 * fdinfo/<n> too (no round trip): a pidfd's has "Pid:" and "NSpid:"
 * lines naming its process, which libsystemd's pidfd_get_pid and lsof
 * read.  A locked file's fdinfo has a "lock:" line per lock, named as in
 * /proc/locks (below).  Another descriptor's fdinfo is passed on as the
 * real file.
 *
 * sched too (no round trip): its first line is "comm (pid, #threads: n)".
 *
 * /proc/sysvipc/shm and msg too (ipcs reads them before asking shmctl or
 * msgctl): the creator's and last user's pids, as sysvipc.c gives them.
 *
 * /proc/sys/kernel/ns_last_pid read-only too: the last vpid handed out
 * (the shared counter: every fork of the tree takes from it; once the
 * counter is retired, after ~4M forks or a write of the file, the
 * supervisor keeps its next at the engine's last + 1).  A write goes to
 * the kernel, then to the supervisor's cursor (cgwrite.c).
 *
 * /proc/locks too: each lock's holder (lslocks reads the file, then the
 * holder's /proc/<pid>/comm), one XLATE per holder the caller does not
 * know.  A holder outside the tree is 0, as the kernel writes a holder
 * outside the reader's pid namespace; an OFD lock's -1 stays.
 *
 * The files named: /proc/<vpid>/..., /proc/self/..., /proc/thread-self/...,
 * each optionally through task/<tid>/.  A task file of another thread
 * keeps its real thread id (as gettid() does) in the pid field, Pid and
 * NSpid; the process's fields are virtual.  A parent outside the tree is
 * 0, as across a pid namespace; a tracer outside the tree is 0.  The copy
 * is a snapshot taken at open: reading it again after lseek(0) does not
 * refresh it (procps and psutil open the file for each read).
 */

#define PROCFS_CAP 32768 /* a status file is ~1.5 KiB; larger ones stay real */
#define PROCFS_LOCKS_CAP (1 << 20) /* ~15,000 locks; mapped, touched as read */

enum procfs_file {
	PF_STAT, PF_STATUS, PF_FDINFO, PF_CHILDREN, PF_SCHED, PF_LOCKS, PF_SYSVIPC, PF_LAST_PID
};

struct procfs_target {
	pid_t vpid;  /* the process */
	pid_t tid;   /* a thread other than the main one: its real id; else 0 */
	enum procfs_file file;
};

/* Digits at *s (no leading zero) up to '/' or the end. */
static bool procfs_num(const char **s, long *v)
{
	const char *p = *s;

	if (*p < '1' || *p > '9' || !shim_parse_int(&p, v) || (*p != '/' && *p != '\0'))
		return false;
	*s = p;
	return true;
}

/* Is id a thread of ours other than the main one?  (tgkill with signal 0
 * checks the pair, as shim_xlate_tid does: it wins over an equal vpid.) */
static bool own_thread(pid_t id)
{
	pid_t self = shim_sys_getpid();

	return id != self && shim_raw_syscall(SYS_tgkill, self, id, 0, 0, 0, 0) == 0;
}

/* children exists only under task/<tid>/. */
static bool path_has_task(const char *path)
{
	return strstr(path, "/task/") != NULL || strncmp(path, "/proc/thread-self/", 18) == 0;
}

/* Which process and file `path` names, or false when it is not a stat or
 * status file of a pid directory. */
static bool procfs_parse(const char *path, struct procfs_target *t)
{
	const char *p = path + 6; /* after "/proc/" */
	long v, tid;
	bool main_thread = true;

	t->tid = 0;
	if (strcmp(p, "locks") == 0 || strcmp(p, "sysvipc/shm") == 0 || strcmp(p, "sysvipc/msg") == 0) {
		t->vpid = 0;
		t->file = p[0] == 'l' ? PF_LOCKS : PF_SYSVIPC;
		return true;
	}
	if (strcmp(p, "sys/kernel/ns_last_pid") == 0) {
		t->vpid = 0;
		t->file = PF_LAST_PID;
		return true;
	}
	if (strncmp(p, "self/", 5) == 0) {
		v = shim_self_vpid();
		p += 4;
	} else if (strncmp(p, "thread-self/", 12) == 0) {
		v = shim_self_vpid();
		tid = shim_raw_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
		if (tid != shim_sys_getpid()) {
			t->tid = (pid_t)tid;
			main_thread = false;
		}
		p += 11;
	} else if (!procfs_num(&p, &v)) {
		return false;
	} else if (v != shim_self_vpid() && own_thread((pid_t)v)) {
		/* /proc/<tid> of another of our threads (procpath.c keeps it) */
		t->tid = (pid_t)v;
		main_thread = false;
		v = shim_self_vpid();
	}
	if (main_thread && strncmp(p, "/task/", 6) == 0) {
		p += 6;
		if (!procfs_num(&p, &tid))
			return false;
		/* task/<vpid> is the main thread (procpath.c); task/<rpid> too */
		if (tid != v && tid != shim_v2r((pid_t)v))
			t->tid = (pid_t)tid;
	}
	t->vpid = (pid_t)v;
	if (strcmp(p, "/stat") == 0) {
		t->file = PF_STAT;
	} else if (strcmp(p, "/status") == 0) {
		t->file = PF_STATUS;
	} else if (strcmp(p, "/sched") == 0) {
		t->file = PF_SCHED;
	} else if (strcmp(p, "/children") == 0 && path_has_task(path)) {
		t->file = PF_CHILDREN;
	} else if (strncmp(p, "/fdinfo/", 8) == 0) {
		p += 8;
		if (!procfs_num(&p, &tid) && strcmp(p, "0") != 0)
			return false;
		if (*p == '0')
			p++;
		if (*p != '\0')
			return false;
		t->file = PF_FDINFO;
	} else {
		return false;
	}
	return v > 0;
}

/* Bounded output buffer. */
struct procfs_out {
	char *buf;
	size_t len, cap;
	bool full;
};

static void out_put(struct procfs_out *o, const char *s, size_t n)
{
	if (o->len + n > o->cap) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void out_int(struct procfs_out *o, long v)
{
	char num[24];

	out_put(o, num, shim_fmt_int(num, v));
}

/* The model's ids of the target: ppid, pgid, sid, tpgid (for real tpgid
 * `tty_pgrp`).  0 or -errno. */
static int procfs_ids(pid_t vpid, long tty_pgrp, int32_t ids[4])
{
	struct proto_req req = { .op = PROTO_OP_PROCIDS, .a = vpid,
				 .b = (int32_t)(tty_pgrp < 0 ? -1 : tty_pgrp) };
	struct proto_rep rep;
	int rc = shim_call(&req, &rep);

	if (rc < 0)
		return rc;
	if (rep.err < 0)
		return rep.err;
	memcpy(ids, rep.v, 4 * sizeof(int32_t));
	return 0;
}

/* stat: "pid (comm) S ppid pgrp session tty_nr tpgid rest"; comm may hold
 * spaces and parentheses, so the fields start after the last ')'. */
static int procfs_stat(const struct procfs_target *t, const char *in, struct procfs_out *o)
{
	const char *close = strrchr(in, ')'), *p, *tty = NULL;
	const char *open_paren = strchr(in, '(');
	long f[5];
	int32_t ids[4];
	int rc;

	if (close == NULL || open_paren == NULL || close[1] != ' ' || close[2] == '\0' ||
	    close[3] != ' ')
		return -EIO;
	p = close + 4;
	for (int i = 0; i < 5; i++) {
		if (i == 3)
			tty = p;
		if (!shim_parse_int(&p, &f[i]) || *p != ' ')
			return -EIO;
		p++;
	}
	rc = procfs_ids(t->vpid, f[4], ids);
	if (rc < 0)
		return rc;
	out_int(o, t->tid > 0 ? t->tid : t->vpid);
	out_put(o, open_paren - 1, (size_t)(close + 4 - (open_paren - 1)));
	for (int i = 0; i < 3; i++) {
		out_int(o, ids[i]);
		out_put(o, " ", 1);
	}
	out_put(o, tty, (size_t)(strchr(tty, ' ') + 1 - tty));
	out_int(o, ids[3]);
	out_put(o, p - 1, strlen(p - 1));
	return 0;
}

/* A line's new value, or -1 to keep it: `line` starts the line, its key
 * ("Name:\t", tab included) is `key` bytes long, `tab` is its tab. */
typedef long (*procfs_value_fn)(const char *line, size_t key, const char *tab, const void *ctx);

/* Copy `in` to o line by line, the lines `value` gives a value for
 * rewritten as their key and that value. */
static void procfs_rewrite(const char *in, struct procfs_out *o, procfs_value_fn value,
			   const void *ctx)
{
	while (*in != '\0') {
		const char *nl = strchr(in, '\n');
		const char *end = nl ? nl + 1 : in + strlen(in);
		const char *tab = memchr(in, '\t', (size_t)(end - in));
		size_t key = tab ? (size_t)(tab + 1 - in) : 0;
		long v = key ? value(in, key, tab, ctx) : -1;

		if (v >= 0) {
			out_put(o, in, key);
			out_int(o, v);
			out_put(o, "\n", 1);
		} else {
			out_put(o, in, (size_t)(end - in));
		}
		in = end;
	}
}

struct status_ctx {
	const struct procfs_target *t;
	int32_t ids[4]; /* ppid, pgid, sid, tpgid */
};

static long status_value(const char *in, size_t key, const char *tab, const void *ctx)
{
	const struct status_ctx *c = ctx;
	const struct procfs_target *t = c->t;
	long v = -1;

	if (key == 6 && strncmp(in, "Tgid:", 5) == 0)
		v = t->vpid;
	else if (key == 5 && strncmp(in, "Pid:", 4) == 0)
		v = t->tid > 0 ? t->tid : t->vpid;
	else if (key == 6 && strncmp(in, "PPid:", 5) == 0)
		v = c->ids[0];
	else if (key == 8 && strncmp(in, "NStgid:", 7) == 0)
		v = t->vpid;
	else if (key == 7 && strncmp(in, "NSpid:", 6) == 0)
		v = t->tid > 0 ? t->tid : t->vpid;
	else if (key == 8 && strncmp(in, "NSpgid:", 7) == 0)
		v = c->ids[1];
	else if (key == 7 && strncmp(in, "NSsid:", 6) == 0)
		v = c->ids[2];
	else if (key == 11 && strncmp(in, "TracerPid:", 10) == 0) {
		const char *p = tab + 1;
		if (shim_parse_int(&p, &v) && v > 0)
			v = shim_r2v((pid_t)v); /* 0: a tracer outside the tree */
	}
	return v;
}

/* status: the id lines get one virtual value each (the innermost view of
 * a pid namespace holds one level). */
static int procfs_status(const struct procfs_target *t, const char *in, struct procfs_out *o)
{
	struct status_ctx c = { .t = t };
	int rc = procfs_ids(t->vpid, -1, c.ids);

	if (rc < 0)
		return rc;
	procfs_rewrite(in, o, status_value, &c);
	return 0;
}

static long fdinfo_value(const char *in, size_t key, const char *tab, const void *ctx)
{
	(void)tab;
	if ((key == 5 && strncmp(in, "Pid:", 4) == 0) || (key == 7 && strncmp(in, "NSpid:", 6) == 0))
		return *(const long *)ctx;
	return -1;
}

static int procfs_fdinfo_locks(const char *in, struct procfs_out *o);

/* fdinfo of a pidfd: "Pid:\t<n>" and "NSpid:\t<n>[\t<deeper>...]", the
 * kernel's numbers as the reader's pid namespace sees the process: 0
 * outside it, -1 once it has exited (fs/pidfs.c).  Virtual here, one
 * level (-1 stays as the kernel wrote it).  A locked file's: its "lock:"
 * lines.  Any other descriptor's fdinfo: -ENOENT (the caller passes the
 * open on, the real file is exact). */
static int procfs_fdinfo(const char *in, struct procfs_out *o)
{
	const char *p = strstr(in, "\nPid:\t");
	long v;

	if (p == NULL)
		return strstr(in, "\nlock:\t") ? procfs_fdinfo_locks(in, o) : -ENOENT;
	p += 6;
	if (*p == '-' ? (p++, !shim_parse_int(&p, &v) || (v = -v) != -1)
		      : !shim_parse_int(&p, &v))
		return -ENOENT;
	if (v > 0)
		v = shim_r2v((pid_t)v); /* 0: a process outside the tree */
	procfs_rewrite(in, o, fdinfo_value, &v);
	return 0;
}

/* task/<tid>/children: "<pid> <pid> ... " (each followed by a space), the
 * real pids of the thread's children, which the kernel lists in the
 * reader's pid namespace.  Each as its vpid; a child outside the tree (0
 * from r2v: made behind the shim's back) is left out, as a process
 * outside the reader's namespace is. */
static int procfs_children(const char *in, struct procfs_out *o)
{
	const char *p = in;
	long r;

	while (*p != '\0') {
		if (*p == ' ' || *p == '\n') {
			p++;
			continue;
		}
		if (!shim_parse_int(&p, &r) || r <= 0)
			return -EIO;
		r = shim_r2v((pid_t)r);
		if (r > 0) {
			out_int(o, r);
			out_put(o, " ", 1);
		}
	}
	return 0;
}

/* sched: "comm (pid, #threads: n)" then the scheduler's figures; the pid
 * is the process's (a task file of another thread: that thread's id, as
 * in stat).  comm may hold "(", so the number is found before ", #". */
static int procfs_sched(const struct procfs_target *t, const char *in, struct procfs_out *o)
{
	const char *nl = strchr(in, '\n');
	const char *mark = strstr(in, ", #threads: "), *num;

	if (mark == NULL || (nl != NULL && mark > nl))
		return -EIO;
	num = mark;
	while (num > in && num[-1] >= '0' && num[-1] <= '9')
		num--;
	if (num == mark || num == in || num[-1] != '(')
		return -EIO;
	out_put(o, in, (size_t)(num - in));
	out_int(o, t->tid > 0 ? t->tid : t->vpid);
	out_put(o, mark, strlen(mark));
	return 0;
}

/* The holders translated so far in one /proc/locks (a process often holds
 * many locks): rpid -> vpid, linear. */
struct locks_seen {
	pid_t rpid[64], vpid[64];
	int n;
};

static pid_t locks_r2v(struct locks_seen *seen, pid_t rpid)
{
	pid_t v;

	for (int i = 0; i < seen->n; i++)
		if (seen->rpid[i] == rpid)
			return seen->vpid[i];
	v = shim_r2v(rpid);
	if (seen->n < 64) {
		seen->rpid[seen->n] = rpid;
		seen->vpid[seen->n++] = v;
	}
	return v;
}

/* A line of /proc/locks, [in, end) (fs/locks.c, lock_get_status):
 * "<id>: [-> ]<type> <mode> <access> <pid> <dev:ino|<none>:0> <start> <end>",
 * the "->" marking a waiter blocked on the lock above it.  The pid is the
 * fifth token that is not "->".  A line of another shape is copied as it
 * is. */
static void locks_line(const char *in, const char *end, struct procfs_out *o,
		       struct locks_seen *seen)
{
	const char *p = in, *tok = NULL;
	int n = 0;
	long v;

	while (p < end && n < 5) {
		while (p < end && (*p == ' ' || *p == '\n'))
			p++;
		if (p == end)
			break;
		tok = p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (!(p - tok == 2 && tok[0] == '-' && tok[1] == '>'))
			n++;
	}
	p = tok;
	if (n == 5 && *p >= '1' && *p <= '9' && shim_parse_int(&p, &v) && *p == ' ') {
		out_put(o, in, (size_t)(tok - in));
		out_int(o, locks_r2v(seen, (pid_t)v));
		out_put(o, p, (size_t)(end - p));
	} else {
		out_put(o, in, (size_t)(end - in));
	}
}

static int procfs_locks(const char *in, struct procfs_out *o)
{
	struct locks_seen seen = { .n = 0 };

	while (*in != '\0') {
		const char *nl = strchr(in, '\n');
		const char *end = nl ? nl + 1 : in + strlen(in);

		locks_line(in, end, o, &seen);
		in = end;
	}
	return 0;
}

/* fdinfo of a file others may lock: a "lock:\t" line per lock on it (the
 * /proc/locks line after the tab), the holder named as there. */
static int procfs_fdinfo_locks(const char *in, struct procfs_out *o)
{
	struct locks_seen seen = { .n = 0 };

	while (*in != '\0') {
		const char *nl = strchr(in, '\n');
		const char *end = nl ? nl + 1 : in + strlen(in);

		if (strncmp(in, "lock:\t", 6) == 0) {
			out_put(o, in, 6);
			locks_line(in + 6, end, o, &seen);
		} else {
			out_put(o, in, (size_t)(end - in));
		}
		in = end;
	}
	return 0;
}

/* /proc/sysvipc/shm and msg: a header naming the columns, then a line per
 * object (ipc/util.c, sysvipc_proc_show).  The pid columns (shm: cpid,
 * lpid; msg: lspid, lrpid) hold real pids; each becomes the tree's name
 * for it (0 outside the tree, as a pid namespace shows a process it
 * cannot see), right-aligned in the column's width.  A file whose header
 * names no pid column is copied as it is. */
static int procfs_sysvipc(const char *in, struct procfs_out *o)
{
	const char *nl = strchr(in, '\n'), *p;
	int col[2] = { -1, -1 }, n = 0;
	struct locks_seen seen = { .n = 0 };

	if (nl == NULL)
		return -EIO;
	for (p = in; p < nl; n++) {
		const char *tok;
		while (p < nl && *p == ' ')
			p++;
		if (p == nl)
			break;
		tok = p;
		while (p < nl && *p != ' ')
			p++;
		if ((p - tok == 4 && (strncmp(tok, "cpid", 4) == 0 || strncmp(tok, "lpid", 4) == 0)) ||
		    (p - tok == 5 && (strncmp(tok, "lspid", 5) == 0 || strncmp(tok, "lrpid", 5) == 0)))
			col[col[0] < 0 ? 0 : 1] = n;
	}
	out_put(o, in, (size_t)(nl + 1 - in));
	in = nl + 1;
	while (*in != '\0') {
		const char *end = strchr(in, '\n');
		end = end ? end + 1 : in + strlen(in);
		p = in;
		for (n = 0; p < end && *p != '\n'; n++) {
			const char *field = p, *tok;
			long v;
			while (p < end && *p == ' ')
				p++;
			tok = p;
			if ((n == col[0] || n == col[1]) && shim_parse_int(&p, &v) &&
			    (*p == ' ' || *p == '\n')) {
				char num[24];
				size_t len = shim_fmt_int(num, v > 0 ? locks_r2v(&seen, (pid_t)v) : v);
				size_t width = (size_t)(p - field);
				for (; width > len + 1; width--)
					out_put(o, " ", 1);
				out_put(o, " ", field < tok ? 1 : 0);
				out_put(o, num, len);
				continue;
			}
			p = tok;
			while (p < end && *p != ' ' && *p != '\n')
				p++;
			out_put(o, field, (size_t)(p - field));
		}
		out_put(o, p, (size_t)(end - p));
		in = end;
	}
	return 0;
}

/* Read the whole real file into buf (cap bytes, NUL-terminated): its
 * length, -ENOSPC when it does not fit, or -errno. */
static ssize_t procfs_slurp(const char *rpath, char *buf, size_t cap)
{
	int fd = REAL(open)(rpath, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -errno;
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	shim_close(fd);
	if (n < 0)
		return -EIO;
	if (len == cap - 1)
		return -ENOSPC;
	buf[len] = '\0';
	return (ssize_t)len;
}

/* A memfd holding out; -errno. */
static int procfs_memfd(const struct procfs_out *o, int flags)
{
	int fd = (int)shim_raw_syscall(SYS_memfd_create, (long)"jobshim-proc",
				       (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0, 0, 0, 0, 0);
	size_t at = 0;

	if (fd < 0)
		return fd;
	while (at < o->len) {
		ssize_t n = write(fd, o->buf + at, o->len - at);
		if (n <= 0) {
			shim_close(fd);
			return n < 0 ? -errno : -EIO;
		}
		at += (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	return shim_memfd_readonly(fd, flags);
}

/* ns_last_pid: "<n>\n", the last vpid handed out; -ENOENT (pass the open
 * on) when the counter cannot be read. */
static int procfs_last_pid(struct procfs_out *o)
{
	struct proto_vpids *vc = shim_vpids();
	uint64_t run;
	int32_t next, max;

	if (vc == NULL)
		return -ENOENT;
	run = atomic_load(&vc->run);
	next = proto_vpids_next(run);
	max = proto_vpids_max(run);
	if (next < 2)
		return -ENOENT;
	/* max 0: no run; the supervisor keeps next at its last + 1 */
	out_int(o, max != 0 && next - 1 > max ? max : next - 1);
	out_put(o, "\n", 1);
	return 0;
}

int shim_procfs_open(const char *path, int flags)
{
	struct procfs_target t;
	struct procfs_out o;
	char rpath[64];
	char *mem;
	size_t cap;
	ssize_t len;
	int rc;

	shim_init();
	if (shim_mode() != SHIM_MODE_ONLINE || shim_guarded())
		return SHIM_PROCFS_PASS;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_PATH | O_DIRECTORY | O_CREAT)))
		return SHIM_PROCFS_PASS;
	if (strlen(path) >= sizeof(rpath) || !procfs_parse(path, &t))
		return SHIM_PROCFS_PASS;
	if (t.file == PF_LAST_PID) {
		o = (struct procfs_out){ .buf = rpath, .cap = sizeof(rpath) };
		rc = procfs_last_pid(&o);
		if (rc == -ENOENT)
			return SHIM_PROCFS_PASS;
		rc = procfs_memfd(&o, flags);
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
		return rc;
	}
	if (path[6] == 't' || t.file == PF_LOCKS || t.file == PF_SYSVIPC) {
		memcpy(rpath, path, strlen(path) + 1); /* thread-self: the kernel's */
	} else {
		rc = shim_procpath(path, rpath, sizeof(rpath));
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
	}
	cap = t.file == PF_LOCKS || t.file == PF_SYSVIPC ? PROCFS_LOCKS_CAP : PROCFS_CAP;
	mem = mmap(NULL, 2 * cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return SHIM_PROCFS_PASS;
	o = (struct procfs_out){ .buf = mem + cap, .cap = cap };
	len = procfs_slurp(rpath, mem, cap);
	if (len == -ENOSPC) {
		munmap(mem, 2 * cap);
		return SHIM_PROCFS_PASS;
	}
	rc = len < 0			? (int)len
	     : t.file == PF_STATUS	? procfs_status(&t, mem, &o)
	     : t.file == PF_STAT	? procfs_stat(&t, mem, &o)
	     : t.file == PF_CHILDREN	? procfs_children(mem, &o)
	     : t.file == PF_SCHED	? procfs_sched(&t, mem, &o)
	     : t.file == PF_LOCKS	? procfs_locks(mem, &o)
	     : t.file == PF_SYSVIPC	? procfs_sysvipc(mem, &o)
					: procfs_fdinfo(mem, &o);
	if (rc == -ENOENT && t.file == PF_FDINFO) {
		munmap(mem, 2 * cap);
		return SHIM_PROCFS_PASS;
	}
	/* The process is gone from the model (reaped meanwhile): as if the
	 * real entry had vanished first. */
	if (rc == -ESRCH || rc == -ENOTCONN)
		rc = -ENOENT;
	if (rc == 0)
		rc = o.full ? -EIO : procfs_memfd(&o, flags);
	munmap(mem, 2 * cap);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}
