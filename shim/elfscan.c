/* elfscan.c — does a program image need the shim?  Its dynamic symbol table decides. */
#include "shim.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A dynamically linked program that imports none of the names the shim
 * interposes (nor clone, syscall or dlopen) cannot create, signal or wait
 * for processes through libc, nor learn a pid other than through getpid
 * (interposed too): preloading the shim into it only costs time (≈ 45 µs
 * per exec).  The exec wrappers ask shim_image_plain() and drop the shim
 * from LD_PRELOAD for such an image (env.c).
 *
 * The interposed set is read from our own library's dynamic symbol table
 * (its defined symbols are exactly the version script's exports), so it
 * never drifts from libjobshim.map.  The program's shared libraries could
 * make those calls on its behalf: only a short list of system libraries
 * known never to do so is accepted in DT_NEEDED, anything else keeps the
 * shim.  Non-ELF files (scripts: the interpreter would run with the shim
 * anyway), static binaries (LD_PRELOAD is ignored) and anything we cannot
 * read keep the environment as it is.
 *
 * Async-signal-safe (called after vfork): open, fstat, mmap, munmap, close,
 * stack only.  Only a fully parsed table may say "plain".
 */

#define SCAN_MAX_FILE (256u << 20) /* larger images are not scanned */
#define SCAN_MAX_OWN 512           /* exported names of our own library */

/* Names that create processes or reach the kernel behind our back but
 * that the shim does not export. */
static const char *const extra_names[] = {
	"clone", "clone3", "__clone", "__clone2", "syscall", "dlopen", "dlmopen",
	"dlsym", "dlvsym", "execveat", "pidfd_open", "pidfd_send_signal", "ptrace",
	"__libc_dlopen_mode", NULL,
};

/* DT_NEEDED libraries that never create or signal processes for their
 * caller (prefixes of the soname). */
static const char *const safe_libs[] = {
	"libc.so.", "libm.so.", "libpthread.so.", "librt.so.", "libdl.so.", "ld-linux",
	"libselinux.so.", "libacl.so.", "libattr.so.", "libcap.so.", "libz.so.", "libzstd.so.",
	"liblzma.so.", "libbz2.so.", "libpcre2-8.so.", "libgmp.so.", "libcrypt.so.",
	"libgcc_s.so.", "libbfd-", "libsframe.so.", "libopcodes-", "libtinfo.so.", NULL,
};

static uint64_t name_hash(const char *s, const char *end)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; s < end && *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* A mapped ELF file and its dynamic symbol and string tables. */
struct scan {
	const uint8_t *base;
	size_t len;
	const Elf64_Sym *sym;
	size_t nsym;
	const char *str;
	size_t strlen;
	const Elf64_Dyn *dyn;
	size_t ndyn;
	bool interp;
};

static bool in_file(const struct scan *sc, uint64_t off, uint64_t size)
{
	return off <= sc->len && size <= sc->len - off;
}

/* Map `path` (or NULL when not a 64-bit ELF of our machine). */
static bool scan_open(struct scan *sc, const char *path)
{
	struct stat st;
	int fd;

	memset(sc, 0, sizeof(*sc));
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr) ||
	    (uint64_t)st.st_size > SCAN_MAX_FILE) {
		close(fd);
		return false;
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return false;
	sc->base = m;
	sc->len = (size_t)st.st_size;
	return true;
}

static void scan_close(struct scan *sc)
{
	if (sc->base != NULL)
		munmap((void *)sc->base, sc->len);
	sc->base = NULL;
}

/* Find .dynsym, its string table and PT_DYNAMIC / PT_INTERP.  false when
 * the file is not an ELF we can judge. */
static bool scan_tables(struct scan *sc)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)sc->base;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_file(sc, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)) ||
	    !in_file(sc, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return false;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(sc->base + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP)
			sc->interp = true;
		if (ph[i].p_type == PT_DYNAMIC && in_file(sc, ph[i].p_offset, ph[i].p_filesz) &&
		    ph[i].p_offset % 8 == 0) {
			sc->dyn = (const Elf64_Dyn *)(sc->base + ph[i].p_offset);
			sc->ndyn = ph[i].p_filesz / sizeof(Elf64_Dyn);
		}
	}
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(sc->base + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_entsize != sizeof(Elf64_Sym) || sh[i].sh_offset % 8 != 0 ||
		    !in_file(sc, sh[i].sh_offset, sh[i].sh_size))
			continue;
		const Elf64_Shdr *ss = &sh[sh[i].sh_link];
		if (ss->sh_type != SHT_STRTAB || !in_file(sc, ss->sh_offset, ss->sh_size))
			return false;
		sc->sym = (const Elf64_Sym *)(sc->base + sh[i].sh_offset);
		sc->nsym = sh[i].sh_size / sizeof(Elf64_Sym);
		sc->str = (const char *)(sc->base + ss->sh_offset);
		sc->strlen = ss->sh_size;
		return sc->dyn != NULL;
	}
	return false; /* stripped of section headers: cannot judge */
}

static const char *sym_name(const struct scan *sc, uint32_t off)
{
	return off < sc->strlen ? sc->str + off : NULL;
}

static bool has_prefix(const char *s, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - s) >= n && strncmp(s, prefix, n) == 0;
}

/* Every DT_NEEDED entry is a safe library. */
static bool needed_safe(const struct scan *sc)
{
	for (size_t i = 0; i < sc->ndyn && sc->dyn[i].d_tag != DT_NULL; i++) {
		if (sc->dyn[i].d_tag != DT_NEEDED)
			continue;
		const char *name = sym_name(sc, (uint32_t)sc->dyn[i].d_un.d_val);
		bool ok = false;
		if (name == NULL)
			return false;
		for (int j = 0; safe_libs[j] != NULL && !ok; j++)
			ok = has_prefix(name, sc->str + sc->strlen, safe_libs[j]);
		if (!ok)
			return false;
	}
	return true;
}

/* Sorted hashes of the interposed names. */
struct nameset {
	uint64_t h[SCAN_MAX_OWN];
	size_t n;
};

static void set_add(struct nameset *set, uint64_t h)
{
	size_t i = set->n;

	if (set->n == SCAN_MAX_OWN)
		return;
	while (i > 0 && set->h[i - 1] > h) {
		set->h[i] = set->h[i - 1];
		i--;
	}
	set->h[i] = h;
	set->n++;
}

static bool set_has(const struct nameset *set, uint64_t h)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (set->h[mid] == h)
			return true;
		if (set->h[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Our exports + extra_names.  false when our library cannot be read. */
static bool own_names(struct nameset *set)
{
	struct scan sc;
	bool ok;

	set->n = 0;
	if (shim_env_lib()[0] == '\0' || !scan_open(&sc, shim_env_lib()))
		return false;
	ok = scan_tables(&sc);
	for (size_t i = 1; ok && i < sc.nsym; i++) {
		const Elf64_Sym *s = &sc.sym[i];
		const char *name = sym_name(&sc, s->st_name);
		if (s->st_shndx == SHN_UNDEF || name == NULL || name[0] == '\0' ||
		    ELF64_ST_TYPE(s->st_info) != STT_FUNC)
			continue;
		set_add(set, name_hash(name, sc.str + sc.strlen));
	}
	scan_close(&sc);
	for (int i = 0; ok && extra_names[i] != NULL; i++)
		set_add(set, name_hash(extra_names[i], extra_names[i] + strlen(extra_names[i])));
	return ok && set->n > 0 && set->n < SCAN_MAX_OWN;
}

/* Filled once outside a vfork child; a vfork child builds its own on the
 * stack (it must not write the parent's memory). */
static struct nameset own;
static atomic_int own_state; /* 0 unknown, 1 ready, 2 being published, -1 unreadable */

bool shim_image_plain(const char *path)
{
	struct nameset local, *set = &own;
	struct scan sc;
	bool plain;

	if (path == NULL || shim_mode() != SHIM_MODE_ONLINE)
		return false;
	if (shim_vf.active) {
		if (atomic_load(&own_state) != 1) {
			if (!own_names(&local))
				return false;
			set = &local;
		}
	} else if (atomic_load(&own_state) == 0) {
		/* Concurrent first execs in several threads compute the same set;
		 * only the first publishes it. */
		if (!own_names(&local)) {
			atomic_store(&own_state, -1);
			return false;
		}
		int expect = 0;
		if (atomic_compare_exchange_strong(&own_state, &expect, 2)) {
			own = local;
			atomic_store(&own_state, 1);
		}
		set = &local;
	} else if (atomic_load(&own_state) != 1) {
		return false;
	}
	if (!scan_open(&sc, path))
		return false;
	plain = scan_tables(&sc) && sc.interp && needed_safe(&sc);
	for (size_t i = 1; plain && i < sc.nsym; i++) {
		const Elf64_Sym *s = &sc.sym[i];
		const char *name = sym_name(&sc, s->st_name);
		if (s->st_shndx != SHN_UNDEF)
			continue;
		if (name == NULL || set_has(set, name_hash(name, sc.str + sc.strlen)))
			plain = false;
	}
	scan_close(&sc);
	return plain;
}
