/* forkpte.c — our text's page table entries go to fork children: no text fault in each child. */
#include "shim.h"

#include <elf.h>
#include <link.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * fork copies no page table entry of a file mapping that has no anonymous
 * page (the child would fault them in "correctly"), so every fork child
 * takes one read fault on our text before it can return to the program
 * (docs/internals.md, "What a fork costs": about 10 µs on a paravirtualised
 * VM, 1-2% of a fork + _exit + waitpid).  A mapping with an anonymous page
 * has its entries copied: then the child runs our code with none.
 *
 * So, in an image that forks more than once, the first page of our file
 * (the ELF header, the build note, the start of the symbol hash: data
 * the loader reads, never code, so no thread runs in it) is made private:
 * read-write, one byte written with its own value, back to read+exec.
 * The kernel copies the page and merges the mapping back into one (the
 * maps listing is unchanged); its contents never change.  Cost: two
 * mprotect calls and one copied page, once per image, from the second
 * fork on (an image that forks once would pay more than it saves); a
 * child inherits the private page, and its forks copy the entries too.
 *
 * Where mprotect is refused (a W^X policy), nothing changes.  A failed
 * return to read+exec leaves a non-executable page with no code in it
 * (shim/hot_text.ld checks that the first 4 KiB hold none; with larger
 * pages the first page holds code, and nothing is done).
 */
#define SHIM_FORKPTE_PAGE 4096
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

/* Forks seen, saturating at 2: the thread that moves it 1 -> 2 does the
 * work, once, however many threads fork at the same time. */
static atomic_int forks_seen;

/* The length of our first segment's mapping (headers and code, from
 * __ehdr_start), from our own program headers; 0 if they are not as
 * expected. */
static size_t text_length(void)
{
	const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)__ehdr_start;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(__ehdr_start + eh->e_phoff);

	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			return ph[i].p_vaddr == 0 && ph[i].p_offset == 0 && (ph[i].p_flags & PF_X)
				       ? (ph[i].p_memsz + SHIM_FORKPTE_PAGE - 1) & ~(size_t)(SHIM_FORKPTE_PAGE - 1)
				       : 0;
	return 0;
}

void shim_forkpte_prime(void)
{
	int n = atomic_load_explicit(&forks_seen, memory_order_relaxed);

	if (n >= 2 || !atomic_compare_exchange_strong(&forks_seen, &n, n + 1) || n + 1 != 2)
		return;
	char *text = (char *)__ehdr_start;
	size_t len = getpagesize() == SHIM_FORKPTE_PAGE ? text_length() : 0;
	if (len == 0 || shim_raw_syscall(SYS_mprotect, (long)text, (long)len,
					 PROT_READ | PROT_WRITE | PROT_EXEC, 0, 0, 0) != 0)
		return;
	volatile char *last = text + SHIM_FORKPTE_PAGE - 1;
	*last = *last;
	(void)shim_raw_syscall(SYS_mprotect, (long)text, (long)len, PROT_READ | PROT_EXEC, 0, 0, 0);
}
