/* sigrec.c — signal handlers that record signo and origin. */
#include "sigrec.h"

#include <stdio.h>
#include <string.h>

#include "shared.h"

#define SIGREC_TREE 1ull
#define SIGREC_EXT 2ull

static const int sigrec_sigs[] = {SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGCONT};
static struct shared *sigrec_shared; /* read-only in the handler */
static unsigned long long sigrec_bits; /* 2 bits per signal number < 32 */

static void sigrec_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	unsigned long long origin =
		si->si_code != SI_KERNEL && sigrec_shared && shared_is_tree(sigrec_shared, si->si_pid)
			? SIGREC_TREE
			: SIGREC_EXT;
	__atomic_fetch_or(&sigrec_bits, origin << (2 * sig), __ATOMIC_SEQ_CST);
}

void sigrec_install(struct shared *sh)
{
	sigrec_shared = sh;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = sigrec_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigrec_sigs / sizeof sigrec_sigs[0]; i++)
		sigaction(sigrec_sigs[i], &sa, NULL);
}

void sigrec_block(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof sigrec_sigs / sizeof sigrec_sigs[0]; i++)
		sigaddset(&set, sigrec_sigs[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

void sigrec_restore(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

unsigned long long sigrec_take(void)
{
	return __atomic_exchange_n(&sigrec_bits, 0, __ATOMIC_SEQ_CST);
}

void sigrec_add(unsigned long long bits)
{
	__atomic_fetch_or(&sigrec_bits, bits, __ATOMIC_SEQ_CST);
}

void sigrec_format(unsigned long long bits, char *out, int outlen)
{
	int n = 0;
	out[0] = '\0';
	for (int sig = 1; sig < 32 && n < outlen; sig++) {
		unsigned long long b = (bits >> (2 * sig)) & 3;
		if (!b)
			continue;
		/* HUP and CONT also come from the orphan rule (ext) while a tree
		 * process may send them too: whether the two coalesce depends on
		 * scheduling, so their origin is not logged. */
		if (sig == SIGHUP || sig == SIGCONT)
			n += snprintf(out + n, outlen - n, "%s%s", n ? " " : "", sigabbrev_np(sig));
		else
			n += snprintf(out + n, outlen - n, "%s%s/%s", n ? " " : "", sigabbrev_np(sig),
				      b == 3 ? "tree+ext" : b == SIGREC_TREE ? "tree" : "ext");
	}
	if (!n)
		snprintf(out, outlen, "none");
}
