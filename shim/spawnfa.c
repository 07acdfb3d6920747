/* spawnfa.c — posix_spawn file actions that matter to the image scan: a chdir (a relative image path names another file) or a new descriptor 1 (a cgroup pid file, perhaps). */
#include "shim.h"

#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

/*
 * A spawn's image is scanned before the spawn (elfscan.c: static images
 * go through the trampoline, filtered; plain ones drop the shim).  Two
 * kinds of file action change what the scan can tell:
 *   - a chdir or fchdir: a relative path names the file as the child sees
 *     it, after its file actions, another file than ours: such a spawn
 *     keeps the shim unscanned.  Without knowing, every relative path with
 *     file actions was left unscanned, and a static program spawned as
 *     `./prog` with redirections (Rust's Command, posix_spawn with pipes)
 *     ran with real ids;
 *   - an open or dup2 onto descriptor 1: a plain image keeps the shim when
 *     its descriptor 1 may be a cgroup pid file (cgwrite.c,
 *     shim_cgwrite_stdout_maybe), and the caller's own descriptor 1 does
 *     not say what the child's will be.
 * glibc's file actions are opaque, so the shim notes the objects it saw
 * such an action added to, with a bit per kind in the pointer's low bits
 * (the object holds a pointer: 8-byte aligned); init and destroy forget
 * one (its address may be reused).  A table that is full says "yes" to
 * both questions for every object from then on: the cautious answer.
 */

#define FA_SLOTS 64
#define FA_MOVES 1u
#define FA_STDOUT 2u
#define FA_BITS (FA_MOVES | FA_STDOUT)
static _Atomic(uintptr_t) slots[FA_SLOTS];
static atomic_bool slots_full;

/* Plain loads first: init and destroy come with every spawn that has
 * file actions, and a locked exchange per slot would cost more than the
 * spawn's own bookkeeping. */
static void forget(const void *fa)
{
	for (int i = 0; i < FA_SLOTS; i++) {
		uintptr_t cur = atomic_load_explicit(&slots[i], memory_order_relaxed);
		if (cur != 0 && (cur & ~(uintptr_t)FA_BITS) == (uintptr_t)fa)
			atomic_compare_exchange_strong(&slots[i], &cur, 0);
	}
}

static void note(const void *fa, unsigned bit)
{
	uintptr_t want = (uintptr_t)fa;

	for (int i = 0; i < FA_SLOTS; i++) {
		uintptr_t cur = atomic_load(&slots[i]);
		if (cur != 0 && (cur & ~(uintptr_t)FA_BITS) == want) {
			atomic_fetch_or(&slots[i], bit);
			return;
		}
	}
	for (int i = 0; i < FA_SLOTS; i++) {
		uintptr_t zero = 0;
		if (atomic_compare_exchange_strong(&slots[i], &zero, want | bit))
			return;
	}
	atomic_store(&slots_full, true);
}

static bool noted(const void *fa, unsigned bit)
{
	if (fa == NULL)
		return false;
	if (atomic_load(&slots_full))
		return true;
	for (int i = 0; i < FA_SLOTS; i++) {
		uintptr_t cur = atomic_load(&slots[i]);
		if ((cur & ~(uintptr_t)FA_BITS) == (uintptr_t)fa)
			return (cur & bit) != 0;
	}
	return false;
}

bool shim_spawnfa_moves(const void *fa)
{
	return noted(fa, FA_MOVES);
}

bool shim_spawnfa_sets_stdout(const void *fa)
{
	return noted(fa, FA_STDOUT);
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
		note(fa, FA_MOVES);
	return rc;
}

SHIM_EXPORT int posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
	int rc = REAL(fa_addfchdir)(fa, fd);

	if (rc == 0)
		note(fa, FA_MOVES);
	return rc;
}

SHIM_EXPORT int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
	int rc = REAL(fa_adddup2)(fa, fd, newfd);

	if (rc == 0 && newfd == STDOUT_FILENO)
		note(fa, FA_STDOUT);
	return rc;
}

SHIM_EXPORT int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd, const char *path,
						 int oflag, mode_t mode)
{
	int rc = REAL(fa_addopen)(fa, fd, path, oflag, mode);

	if (rc == 0 && fd == STDOUT_FILENO)
		note(fa, FA_STDOUT);
	return rc;
}
