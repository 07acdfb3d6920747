/* nest.c — `jobshim run` inside a jobshim tree: leave the outer shim, run a namespace of our own. */
#include "sup.h"

#include <dlfcn.h>
#include <stdlib.h>

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
