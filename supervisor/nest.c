/* nest.c — `jobshim run` inside a jobshim tree: leave the outer shim, run a namespace of our own. */
#include "sup.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The enclosing supervisor's real pid (0: not nested or unknown). */
static pid_t outer_rpid;

/* The outer supervisor's private directory: JOBSHIM_SOCKET's directory. */
static int outer_dir(char *buf, size_t len)
{
	const char *sock = getenv("JOBSHIM_SOCKET");
	const char *slash = sock ? strrchr(sock, '/') : NULL;

	if (!slash || (size_t)(slash - sock) >= len)
		return -1;
	snprintf(buf, len, "%.*s", (int)(slash - sock), sock);
	return 0;
}

/* The outer supervisor's real pid from its shared file (proto.h), or 0. */
static pid_t outer_sup_rpid(const char *dir)
{
	char path[PATH_MAX];
	int32_t rpid = 0;
	int fd;

	if (snprintf(path, sizeof(path), "%s/" PROTO_SHARED_FILE, dir) >= (int)sizeof(path))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &rpid, sizeof(rpid), offsetof(struct proto_vpids, sup_rpid)) != sizeof(rpid))
		rpid = 0;
	close(fd);
	return rpid > 0 ? rpid : 0;
}

/* "nested.<rpid>.<start>" in a supervisor's private directory: the
 * process with that real pid and start time (which tells a reused pid
 * apart) is a supervisor nested in its tree. */
static int marker_path(char *buf, size_t len, const char *dir, pid_t rpid, unsigned long long start)
{
	int n = snprintf(buf, len, "%s/nested.%d.%llu", dir, (int)rpid, start);

	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* Tell the outer supervisor we are a nested one (nest_is_inner), by a
 * marker file in its private directory. */
static void mark_nested(const char *dir)
{
	char path[PATH_MAX];
	struct sysio_stat st;
	int fd;

	if (sysio_stat(getpid(), &st) < 0 || marker_path(path, sizeof(path), dir, getpid(), st.start) < 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

/*
 * Started inside another jobshim's tree, this process has the outer tree's
 * libjobshim.so preloaded.  The supervisor needs the kernel's own answers
 * (its real pid for the subreaper checks, real forks and waits, real
 * /proc), and its command must get our socket and JOBSHIM_SELF, not the
 * outer identity the shim's exec wrapper would put back.  The shim exports
 * jobshim_detach for this (shim/nest.c): from the call on it passes every
 * call through.  Not preloaded (not nested), the lookup finds nothing.
 * -1 (after a message) when an older shim interposes us and cannot be left.
 *
 * The outer supervisor still sees this process as one of its tree, and,
 * being a subreaper above us, the whole inner tree as its real descendants
 * (see docs/internals.md, "Nesting").
 */
int nest_detach(void)
{
	void (*detach)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "jobshim_detach");
	char dir[PATH_MAX];
	Dl_info info;

	if (!detach) {
		/* A libjobshim.so without jobshim_detach (an older one) may
		 * interpose us: we cannot leave it, and would join its tree. */
		void *fork_fn = dlsym(RTLD_DEFAULT, "fork");
		if (getenv("JOBSHIM_SOCKET") && fork_fn && dladdr(fork_fn, &info) && info.dli_fname &&
		    strstr(info.dli_fname, "libjobshim")) {
			fprintf(stderr, "jobshim: cannot nest: the enclosing tree's %s has no jobshim_detach "
					"(an older jobshim); run the outer jobshim from the same version\n",
				info.dli_fname);
			return -1;
		}
		return 0;
	}
	detach();
	if (outer_dir(dir, sizeof(dir)) < 0)
		return 0; /* preloaded, but not inside a tree */
	outer_rpid = outer_sup_rpid(dir);
	mark_nested(dir);
	return 0;
}

/*
 * Is the tree process rpid (started at `start`) a nested supervisor?  Its
 * descendants are its own to terminate: the first SIGTERM of a teardown
 * goes to it (it forwards the signal to its tree once and gives it its
 * grace period), and only the SIGKILL after our grace period walks into
 * its tree.  Signalled directly too, its processes would get the SIGTERM
 * twice.
 */
bool nest_is_inner(const struct sup *s, pid_t rpid, unsigned long long start)
{
	char path[PATH_MAX];

	if (!s->dir[0] || marker_path(path, sizeof(path), s->dir, rpid, start) < 0)
		return false;
	return access(path, F_OK) == 0;
}

/*
 * A signal from the outer supervisor while we already tear down: not an
 * impatient second signal (which kills at once), but the outer teardown
 * reaching us twice (by vpid and through its command's real group).  The
 * outer sends SIGKILL itself after its grace period; escalating here would
 * cut the grace short for our whole tree.
 */
bool nest_outer_repeat(const struct sup *s, pid_t sender)
{
	return outer_rpid > 0 && sender == outer_rpid &&
	       (s->phase == SUP_PH_TERM || s->phase == SUP_PH_KILL);
}

/*
 * Register every real descendant the model does not know yet (the
 * processes of a nested jobshim's tree, a static binary's children): walk
 * /proc/<pid>/task/<tid>/children breadth first from ourselves, parents
 * before children, so that each lazy registration finds its parent known.
 * Used before kill(-1), which natively reaches every process of the pid
 * namespace and of the namespaces nested in it: with the nested trees
 * registered, the engine's target list holds them too.
 */
void nest_adopt_descendants(struct sup *s)
{
	pid_t *queue = NULL, kids[512];
	size_t head = 0, len = 0, cap = 0;
	pid_t r = s->self_rpid;

	for (;;) {
		int nk = sysio_children(r, kids, 512);

		for (int i = 0; i < nk; i++) {
			if (r == s->self_rpid && sup_helper_child(kids[i]))
				continue; /* our tracer (tracer_sup.c): not of the tree */
			if (len == cap) {
				size_t ncap = cap ? 2 * cap : 128;
				pid_t *nq = realloc(queue, ncap * sizeof(*nq));
				if (!nq)
					break;
				queue = nq;
				cap = ncap;
			}
			queue[len++] = kids[i];
		}
		if (head == len)
			break;
		r = queue[head++];

		struct sysio_stat st;
		struct eng_pinfo pi;
		int32_t v;

		if (sysio_stat(r, &st) < 0 || st.state == 'Z' || st.state == 'X')
			continue;
		v = eng_rpid_to_vpid(s->eng, r);
		if (v <= 1 || eng_info(s->eng, v, &pi) < 0 || pi.state == ENG_P_ZOMBIE)
			procs_register(s, r);
	}
	free(queue);
}

static bool elem_is(const char *p, size_t n, const char *name)
{
	return name && *name && strlen(name) == n && memcmp(p, name, n) == 0;
}

/*
 * The LD_PRELOAD list our command gets after our own library `lib`: the
 * one we were started with, minus the outer tree's libjobshim.so (named by
 * the JOBSHIM_LIB we inherited) and minus `lib` itself (inherited from a
 * tree we were started in, or from a pid namespace that left one).  A
 * second shim below ours would take our shim's "real" calls and act on
 * them with our socket as its own.  NULL when nothing is left; the result
 * is malloc'd or `old` itself.  Runs in the forked command before exec
 * (the supervisor is single-threaded).
 */
const char *nest_preload_rest(const char *old, const char *lib)
{
	const char *outer = getenv("JOBSHIM_LIB");
	size_t used = 0;
	char *rest;

	if (!old || !*old)
		return NULL;
	rest = malloc(strlen(old) + 1);
	if (!rest)
		return old;
	for (const char *p = old; *p;) {
		size_t n = strcspn(p, ": ");
		if (n > 0 && !elem_is(p, n, outer) && !elem_is(p, n, lib)) {
			if (used)
				rest[used++] = ':';
			memcpy(rest + used, p, n);
			used += n;
		}
		p += n;
		if (*p)
			p++;
	}
	rest[used] = '\0';
	return used ? rest : NULL;
}
