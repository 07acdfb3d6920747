/* nest.c — leaving the tree's shim: a nested `jobshim run`, and the init of a nested pid namespace. */
#include "shim.h"

#include <unistd.h>

extern char **environ;

/*
 * A `jobshim run` started inside a tree is an ordinary process of that
 * tree (the outer supervisor knows it from its fork and exec), but it is
 * the supervisor of a namespace of its own: its own fork, getpid, kill,
 * wait, prctl and /proc reads must be the kernel's, and the environment it
 * gives its command (its socket, JOBSHIM_SELF) must reach that command
 * unchanged.  Interposed, none of that holds: getpid answers the outer
 * vpid, the exec wrapper replaces JOBSHIM_SELF with the outer identity, and
 * the inner command joins the outer tree.  So the supervisor calls this
 * (found with dlsym: a jobshim not preloaded finds nothing) before anything
 * else, and the shim passes every call through from then on, as in a
 * process that was never under jobshim.  The inner supervisor's own
 * processes carry the inner socket and talk to the inner supervisor only.
 */
__attribute__((visibility("default"))) void jobshim_detach(void)
{
	shim_init();
	shim_self_detach();
	/* The nested supervisor reads the outer run's variables (its
	 * socket's directory, the preload list): an `env -i jobshim run`
	 * had them taken out of environ (env.c). */
	shim_env_unhide();
}

/* The new "LD_PRELOAD=..." without the shim (static: no allocation). */
static char preload_buf[4096];

/* Loops of our own: a fork child of a threaded program calls nothing more. */
static size_t n_strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

static void n_copy(char *to, const char *from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		to[i] = from[i];
}

static bool n_same(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool has_prefix(const char *s, const char *prefix)
{
	while (*prefix != '\0' && *prefix == *s) {
		prefix++;
		s++;
	}
	return *prefix == '\0';
}

/* "LD_PRELOAD=" + the list in `val` without `lib`, in preload_buf; NULL
 * when nothing is left, `keep` when it does not fit. */
static char *preload_without(char *keep, const char *val, const char *lib)
{
	size_t len = n_strlen(lib), used = sizeof("LD_PRELOAD=") - 1;
	bool any = false;

	n_copy(preload_buf, "LD_PRELOAD=", used);
	for (const char *p = val; *p != '\0';) {
		size_t n = 0;
		while (p[n] != '\0' && p[n] != ':' && p[n] != ' ')
			n++;
		if (n > 0 && !(n == len && n_same(p, lib, n))) {
			if (used + n + 2 > sizeof(preload_buf))
				return keep;
			if (any)
				preload_buf[used++] = ':';
			n_copy(preload_buf + used, p, n);
			used += n;
			any = true;
		}
		p += n;
		if (*p != '\0')
			p++;
	}
	preload_buf[used] = '\0';
	return any ? preload_buf : NULL;
}

/* Drop JOBSHIM_SOCKET, JOBSHIM_LIB and JOBSHIM_SELF from environ, and the
 * shim from LD_PRELOAD, in place (no allocation: this may run in a fork
 * child of a threaded program), so that the images below start as if
 * never under jobshim: without the shim, or with it inert (mode NONE). */
static void env_drop_ours(void)
{
	static const char *const names[] = { "JOBSHIM_SOCKET=", "JOBSHIM_LIB=", "JOBSHIM_SELF=" };
	const char *lib = shim_env_lib();
	char **to = environ;

	if (environ == NULL)
		return;
	for (char **e = environ; *e != NULL; e++) {
		char *keep = *e;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && keep != NULL; i++)
			if (has_prefix(keep, names[i]))
				keep = NULL;
		if (keep != NULL && lib[0] != '\0' && has_prefix(keep, "LD_PRELOAD="))
			keep = preload_without(keep, keep + sizeof("LD_PRELOAD=") - 1, lib);
		if (keep != NULL)
			*to++ = keep;
	}
	*to = NULL;
}

/*
 * A process whose parent is outside its pid namespace (getppid() is 0: the
 * first process of a namespace made with unshare(CLONE_NEWPID) or clone,
 * or a child forked after setns) cannot be a process of the tree: its real
 * pids (its own, the ones fork returns to it, those in /proc) are numbers
 * of another namespace than the supervisor's, so a BIND or kill in them
 * would name unrelated processes of the supervisor's namespace.  It and
 * everything below it leave the tree: the shim passes their calls through,
 * which is what Linux gives them (getpid() is 1 in the new namespace).
 * The supervisor still sees them as real descendants, which its teardown
 * and kill(-1) reach (docs/internals.md, "Nesting").
 */
SHIM_FORK_TEXT void shim_nest_check(void)
{
	if (shim_sys_getppid() != 0)
		return;
	shim_self_detach();
	env_drop_ours();
}
