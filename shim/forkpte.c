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
 * So, in an image that forks more than once, our first segment's mapping
 * (headers and code) gets a private page: the whole mapping read, write
 * and execute for a moment, the first byte of the ELF header (read by
 * nobody after the loader) written with its own value, then back to read
 * and execute.  The whole mapping, not one page: an
 * mprotect of part of it splits it, and the parts would not merge again
 * (the written part is now charged as writable), so the rest would still
 * have no anonymous page.  Nothing is ever not executable, so a thread
 * running our code meanwhile runs on; the contents never change, and the
 * maps listing is unchanged.  Cost: two mprotect calls and one copied
 * page, once per image, from the second fork on (an image that forks once
 * would pay more than it saves); a child inherits the private page, and
 * its forks copy the entries too.  One visible difference: a core dump
 * includes a private mapping that has an anonymous page (coredump_filter's
 * default), so a program's core file holds our text (under 200 KiB) once
 * it has forked twice.
 *
 * Where a policy refuses a writable and executable mapping (SELinux's
 * execmod, systemd's MemoryDenyWriteExecute), nothing changes; a failed
 * return to read and execute leaves it writable as well, and working.
 */
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
				       ? ph[i].p_memsz
				       : 0;
	return 0;
}

void shim_forkpte_prime(void)
{
	int n = atomic_load_explicit(&forks_seen, memory_order_relaxed);

	if (n >= 2 || !atomic_compare_exchange_strong(&forks_seen, &n, n + 1) || n + 1 != 2)
		return;
	char *text = (char *)__ehdr_start;
	size_t page = (size_t)getpagesize(), len = text_length();
	if (len < page || shim_raw_syscall(SYS_mprotect, (long)text, (long)len,
					 PROT_READ | PROT_WRITE | PROT_EXEC, 0, 0, 0) != 0)
		return;
	volatile char *first = text;
	*first = *first;
	(void)shim_raw_syscall(SYS_mprotect, (long)text, (long)len, PROT_READ | PROT_EXEC, 0, 0, 0);
}
