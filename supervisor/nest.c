/* nest.c — `jobshim run` inside a jobshim tree: leave the outer shim, run a namespace of our own. */
#include "sup.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

/*
 * Started inside another jobshim's tree, this process has the outer tree's
 * libjobshim.so preloaded.  The supervisor needs the kernel's own answers
 * (its real pid for the subreaper checks, real forks and waits, real
 * /proc), and its command must get our socket and JOBSHIM_SELF, not the
 * outer identity the shim's exec wrapper would put back.  The shim exports
 * jobshim_detach for this (shim/nest.c): from the call on it passes every
 * call through.  Not preloaded (not nested), the lookup finds nothing.
 *
 * The outer supervisor still sees this process as one of its tree, and,
 * being a subreaper above us, the whole inner tree as its real descendants
 * (see docs/internals.md, "Nesting").
 */
void nest_detach(void)
{
	void (*detach)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "jobshim_detach");

	if (detach)
		detach();
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

/*
 * The LD_PRELOAD list our command gets after our own library: the one we
 * were started with, minus the outer tree's libjobshim.so (named by the
 * JOBSHIM_LIB we inherited).  A second shim below ours would take our
 * shim's "real" calls and act on them with our socket as its own.  NULL
 * when nothing is left; the result is malloc'd or `old` itself.  Runs in
 * the forked command before exec (the supervisor is single-threaded).
 */
const char *nest_preload_rest(const char *old)
{
	const char *outer = getenv("JOBSHIM_LIB");
	size_t olen = outer ? strlen(outer) : 0, used = 0;
	char *rest;

	if (!old || !*old)
		return NULL;
	if (!outer || !*outer)
		return old;
	rest = malloc(strlen(old) + 1);
	if (!rest)
		return old;
	for (const char *p = old; *p;) {
		size_t n = strcspn(p, ": ");
		if (n > 0 && !(n == olen && memcmp(p, outer, n) == 0)) {
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
