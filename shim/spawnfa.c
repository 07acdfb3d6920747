/* spawnfa.c — posix_spawn file actions that change the directory: which ones, so that a relative image path is scanned only where it means the same file. */
#include "shim.h"

#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>

/*
 * A spawn's image is scanned before the spawn (elfscan.c: static images
 * go through the trampoline, filtered; plain ones drop the shim).  A
 * relative path names the file as the child sees it, after its file
 * actions: a chdir or fchdir among them makes it another file, so such a
 * spawn keeps the shim unscanned.  Without knowing, every relative path
 * with file actions was left unscanned, and a static program spawned as
 * `./prog` with redirections (Rust's Command, posix_spawn with pipes) ran
 * with real ids.  glibc's file actions are opaque, so the shim notes the
 * objects it saw a chdir added to: init and destroy forget one (its
 * address may be reused).  A table that is full says "moves" for every
 * object from then on: the unscanned way, as before.
 */

#define FA_MOVES 64
static _Atomic(uintptr_t) moves[FA_MOVES];
static atomic_bool moves_full;

/* Plain loads first: init and destroy come with every spawn that has
 * file actions, and a locked exchange per slot would cost more than the
 * spawn's own bookkeeping. */
static void forget(const void *fa)
{
	for (int i = 0; i < FA_MOVES; i++) {
		uintptr_t cur = (uintptr_t)fa;
		if (atomic_load_explicit(&moves[i], memory_order_relaxed) == cur)
			atomic_compare_exchange_strong(&moves[i], &cur, 0);
	}
}

static void note(const void *fa)
{
	uintptr_t want = (uintptr_t)fa;

	for (int i = 0; i < FA_MOVES; i++)
		if (atomic_load(&moves[i]) == want)
			return;
	for (int i = 0; i < FA_MOVES; i++) {
		uintptr_t zero = 0;
		if (atomic_compare_exchange_strong(&moves[i], &zero, want))
			return;
	}
	atomic_store(&moves_full, true);
}

bool shim_spawnfa_moves(const void *fa)
{
	if (fa == NULL)
		return false;
	if (atomic_load(&moves_full))
		return true;
	for (int i = 0; i < FA_MOVES; i++)
		if (atomic_load(&moves[i]) == (uintptr_t)fa)
			return true;
	return false;
}

SHIM_EXPORT int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	forget(fa);
	return REAL(fa_init)(fa);
}

SHIM_EXPORT int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	forget(fa);
	return REAL(fa_destroy)(fa);
}

SHIM_EXPORT int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa,
						     const char *path)
{
	int rc = REAL(fa_addchdir)(fa, path);

	if (rc == 0)
		note(fa);
	return rc;
}

SHIM_EXPORT int posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
	int rc = REAL(fa_addfchdir)(fa, fd);

	if (rc == 0)
		note(fa);
	return rc;
}
