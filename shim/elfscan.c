/* elfscan.c — does a program image need the shim?  Its dynamic symbol table decides, once per file for the whole tree. */
#include "shim.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "imgcache.h"
#include "own_names.h" /* generated from libjobshim.map (scripts/ownnames.sh) */

/*
 * A dynamically linked program that imports none of the names the shim
 * interposes (nor clone, syscall or dlopen) cannot create, signal or wait
 * for processes through libc, nor learn a pid other than through getpid
 * (interposed too): preloading the shim into it only costs time (≈ 45 µs
 * per exec).  The exec wrappers ask shim_image_kind() and drop the shim
 * from LD_PRELOAD for such an image (env.c).
 *
 * The interposed set is generated at build time from libjobshim.map (the
 * version script: exactly our exports), sorted, so it never drifts from
 * the map and costs no file I/O (tests/integration/sup_ownnames.sh checks
 * it against the built library's dynamic symbols).  The program's shared
 * libraries could make those calls on its behalf: only a short list of
 * system libraries known never to do so is accepted in DT_NEEDED, anything
 * else keeps the shim.  Non-ELF files (scripts: the interpreter would run
 * with the shim anyway), static binaries (LD_PRELOAD is ignored) and
 * anything we cannot read keep the environment as it is.
 *
 * The verdict depends only on the file, so it is kept for the whole tree
 * in the supervisor's decision cache (imgcache.h), keyed by the file's
 * identity: a hit costs one stat.  A shell's loop of execs forks from a
 * parent that never execs itself, so the parent maps the cache before its
 * first fork, vfork or spawn (shim_image_prime) and every child inherits
 * the mapping.
 *
 * Async-signal-safe (called after vfork): stat, open, fstat, mmap, munmap,
 * close, clock_gettime, stack only; a vfork child only uses a mapping the
 * parent already has (a new one would outlive the child in the parent).
 * Only a fully parsed table may say "plain".
 */

#define SCAN_MAX_FILE (256u << 20) /* larger images are not scanned */
/* A file changed less than this many seconds ago is scanned but not cached
 * (see scan_cache). */
#define SCAN_SETTLE_SEC 2

/* Our exports, sorted in strcmp order.  6 KiB that only a scan reads (an
 * image the tree's cache does not know yet): out of .rodata, which shares
 * the first 64 KiB window with the code fork children run (hot_text.ld). */
static const char own_names[][OWN_NAME_MAX] __attribute__((section("jobshim_cold_rodata"))) = { OWN_NAMES };

/* Names that create processes or reach the kernel behind our back but
 * that the shim does not export.  Changing this list or safe_libs changes
 * verdicts: bump IMGCACHE_VERSION (imgcache.h). */
static const char *const extra_names[] = {
	"clone", "clone3", "__clone", "__clone2", "syscall", "dlopen", "dlmopen",
	"dlsym", "dlvsym", "pidfd_open", "ptrace",
	"__libc_dlopen_mode", NULL,
};

/* Names we export that are no reason to keep the shim by themselves: they
 * change something only for a descriptor that signalfd or fanotify_init
 * (pidread.c) or an open of a cgroup pid file (cgwrite.c) made in this
 * image (or syscall), names that keep it anyway, or for a pid file on the
 * image's descriptor 1 as it starts, which shim_image_kind_at looks at
 * (the stdio flushes: cgstdio.c; almost every program imports fclose and
 * fflush, coreutils' true and echo among them); mlockall, munlockall,
 * setrlimit and setrlimit64 only keep the shim's own mappings out of the
 * locked memory and the address-space limit (mlock.c, rlimit.c);
 * __asan_default_options is libasan's to call (sanitizer.c).
 * Almost every program imports read, write and dup2. */
static const char *const companion_names[] = {
	"read", "__read_chk", "dup", "dup2", "dup3", "write", "dprintf", "vdprintf",
	"__dprintf_chk", "__vdprintf_chk", "fflush", "fflush_unlocked", "fclose", "mlockall", "munlockall", "setrlimit",
	"setrlimit64", "__asan_default_options", NULL,
};

/* DT_NEEDED libraries that never create, signal or name processes for
 * their caller (prefixes of the soname).  Not libcap: its cap_get_pid and
 * capgetp read another process's capabilities by pid (getpcaps PID, whose
 * own imports are all harmless, asked the kernel about real pid PID) and
 * cap_launch forks.  libselinux's getpidcon(pid) opens /proc/PID/attr,
 * which an image without the shim would not translate; kept, because
 * SELinux is off where jobshim runs (the read fails either way) and the
 * tools a build runs (cp, mkdir, install) link it. */
static const char *const safe_libs[] = {
	"libc.so.", "libm.so.", "libpthread.so.", "librt.so.", "libdl.so.", "ld-linux",
	"libselinux.so.", "libacl.so.", "libattr.so.", "libz.so.", "libzstd.so.",
	"liblzma.so.", "libbz2.so.", "libpcre2-8.so.", "libgmp.so.", "libcrypt.so.",
	"libgcc_s.so.", "libbfd-", "libsframe.so.", "libopcodes-", "libtinfo.so.", NULL,
};

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
	int refused;    /* the errno of a refused open or mapping, else 0 */
	struct stat st; /* the file's identity (the cache key) */
};

static bool in_file(const struct scan *sc, uint64_t off, uint64_t size)
{
	return off <= sc->len && size <= sc->len - off;
}

/* A read-only open, or a private read-only mapping, of a regular file
 * fails with these only when someone refused it: a fanotify permission or
 * pre-content listener (EPERM, or the errno its FAN_DENY_ERRNO names), an
 * LSM (EPERM), a failing device (EIO).  The kernel's own open and reads
 * for the exec would meet the same answer.  Not EACCES (an execute-only
 * file still runs), nor the resource errors of our own calls; EAGAIN only
 * from the open (scan_open). */
static bool refused(int err)
{
	return err == EPERM || err == EIO || err == EBUSY || err == ETXTBSY || err == ENOSPC ||
	       err == EDQUOT;
}

/* The descriptor execveat(dirfd, "", AT_EMPTY_PATH) and fexecve run, made
 * readable: an O_PATH one (which fexecve takes) cannot be mapped, so it is
 * opened again through /proc/self/fd (raw: not a path of the tree's /proc
 * to translate).  -errno. */
static int scan_fd_reopen(int fd)
{
	char buf[32] = "/proc/self/fd/";
	long fl = shim_raw_syscall(SYS_fcntl, fd, F_GETFL, 0, 0, 0, 0);

	if (fl < 0)
		return (int)fl;
	if (!(fl & O_PATH))
		return (int)shim_raw_syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0, 0, 0, 0);
	shim_fmt_int(buf + strlen(buf), fd);
	return (int)shim_raw_syscall(SYS_openat, AT_FDCWD, (long)buf, O_RDONLY | O_CLOEXEC, 0, 0, 0);
}

/* Map the file an exec of (dirfd, path, execveat's flags) would run:
 * false when it cannot be opened or is not a regular file of a plausible
 * size; sc->refused holds the errno of a refusal (refused()). */
static int scan_open_fd(int dirfd, const char *path, int at_flags)
{
	int fd;

	do {
		if ((at_flags & AT_EMPTY_PATH) && path[0] == '\0') {
			fd = scan_fd_reopen(dirfd);
			if (fd < 0) {
				errno = -fd;
				fd = -1;
			}
		} else {
			fd = openat(dirfd, path,
				    O_RDONLY | O_CLOEXEC |
					    (at_flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0));
		}
	} while (fd < 0 && errno == EINTR);
	return fd;
}

static bool scan_open(struct scan *sc, int dirfd, const char *path, int at_flags)
{
	struct shim_fdroom room;
	int fd, err;

	memset(sc, 0, sizeof(*sc));
	fd = scan_open_fd(dirfd, path, at_flags);
	/* Every descriptor in use: the exec itself needs none, so neither
	 * may its scan (a static image exec'd from a full table ran without
	 * its filter, in real ids).  Room above the limit for a moment
	 * (fdroom.c). */
	if (fd < 0 && errno == EMFILE && shim_fdroom_raise(&room)) {
		fd = scan_open_fd(dirfd, path, at_flags);
		err = errno;
		shim_fdroom_restore(&room);
		errno = err;
	}
	if (fd < 0) {
		/* EAGAIN too: a read-only open without O_NONBLOCK is not
		 * refused for want of anything. */
		if (refused(errno) || errno == EAGAIN)
			sc->refused = errno;
		return false;
	}
	if (fstat(fd, &sc->st) < 0 || !S_ISREG(sc->st.st_mode) ||
	    sc->st.st_size < (off_t)sizeof(Elf64_Ehdr) || (uint64_t)sc->st.st_size > SCAN_MAX_FILE) {
		shim_close(fd);
		return false;
	}
	void *m = mmap(NULL, (size_t)sc->st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	err = errno;
	shim_close(fd);
	if (m == MAP_FAILED) {
		/* Not EAGAIN here: under mlockall(MCL_FUTURE) that is
		 * RLIMIT_MEMLOCK's answer to us. */
		if (refused(err))
			sc->refused = err;
		return false;
	}
	sc->base = m;
	sc->len = (size_t)sc->st.st_size;
	return true;
}

static void scan_close(struct scan *sc)
{
	if (sc->base != NULL)
		munmap((void *)sc->base, sc->len);
	sc->base = NULL;
}

/* The ELF and program headers: PT_DYNAMIC, PT_INTERP.  false when the
 * file is not an x86-64 executable we can read. */
static bool scan_headers(struct scan *sc)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)sc->base;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !in_file(sc, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
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
	return true;
}

/* Find .dynsym and its string table (after scan_headers).  false when the
 * file is not an ELF we can judge. */
static bool scan_tables(struct scan *sc)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)sc->base;

	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_file(sc, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return false;
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

/* strcmp() of the name at s (ended by its NUL or by end) and t. */
static int name_cmp(const char *s, const char *end, const char *t)
{
	for (; s < end && *s != '\0'; s++, t++)
		if (*s != *t)
			return (unsigned char)*s - (unsigned char)*t;
	return -(unsigned char)*t;
}

/* Is the name at s one we interpose, or one of extra_names? */
static bool interposed(const char *s, const char *end)
{
	size_t lo = 0, hi = sizeof(own_names) / sizeof(own_names[0]);

	for (int i = 0; companion_names[i] != NULL; i++)
		if (name_cmp(s, end, companion_names[i]) == 0)
			return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(s, end, own_names[mid]);
		if (c == 0)
			return true;
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int i = 0; extra_names[i] != NULL; i++)
		if (name_cmp(s, end, extra_names[i]) == 0)
			return true;
	return false;
}

/* A Go program (a section .note.go.buildid or .go.buildinfo): its runtime
 * makes its system calls itself even when linked with libc (cgo), so the
 * preload never sees them. */
static bool go_image(const struct scan *sc)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)sc->base;

	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shstrndx >= eh->e_shnum ||
	    !in_file(sc, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return false;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(sc->base + eh->e_shoff);
	const Elf64_Shdr *ss = &sh[eh->e_shstrndx];
	if (!in_file(sc, ss->sh_offset, ss->sh_size))
		return false;
	const char *names = (const char *)(sc->base + ss->sh_offset);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		uint32_t off = sh[i].sh_name;
		if (off >= ss->sh_size)
			continue;
		size_t room = ss->sh_size - off;
		/* the names with their NUL, inside the table */
		if ((room >= sizeof(".note.go.buildid") &&
		     memcmp(names + off, ".note.go.buildid", sizeof(".note.go.buildid")) == 0) ||
		    (room >= sizeof(".go.buildinfo") &&
		     memcmp(names + off, ".go.buildinfo", sizeof(".go.buildinfo")) == 0))
			return true;
	}
	return false;
}

/*
 * The scan itself.
 *   ALONE: the kernel runs the image without our library whatever the
 *   environment says -- a static executable (no PT_INTERP: no dynamic
 *   loader reads LD_PRELOAD) or a set-user/group-id file (the loader's
 *   secure mode drops our path) -- yet it may fork.  Its children that do
 *   load the shim register with it as their parent, and that may happen
 *   before our parent's BIND of it is written: exec.c writes "I exist"
 *   for it before the exec (events.c).
 *   PLAIN: it may run without the shim (it can create no process).
 *   KEEP: anything else, and anything we cannot judge.
 */
static enum imgcache_verdict scan_verdict(struct scan *sc)
{
	bool plain;

	if (sc->st.st_mode & (S_ISUID | S_ISGID))
		return IMGCACHE_ALONE;
	if (!scan_headers(sc))
		return IMGCACHE_KEEP;
	if (!sc->interp)
		return IMGCACHE_ALONE;
	if (go_image(sc))
		return IMGCACHE_RAW;
	plain = scan_tables(sc) && needed_safe(sc);
	for (size_t i = 1; plain && i < sc->nsym; i++) {
		const Elf64_Sym *sym = &sc->sym[i];
		const char *name = sym_name(sc, sym->st_name);
		if (sym->st_shndx != SHN_UNDEF)
			continue;
		if (name == NULL || interposed(name, sc->str + sc->strlen))
			plain = false;
	}
	return plain ? IMGCACHE_PLAIN : IMGCACHE_KEEP;
}

/* ---- the decision cache (imgcache.h) ---------------------------------------- */

/* The cache lives in the tree's shared file, mapped once per image with
 * the vpid counter and kept (shim_imgcache, fork.c); NULL: no cache (the
 * file is missing or unusable), so every exec scans, as without one.  A
 * vfork child only uses the parent's mapping. */
static void *ic_get(void)
{
	return shim_imgcache();
}

/* Before every fork, vfork and spawn of our wrappers, in the parent
 * (shim_fork_counted), so that the child inherits the mapping.  Called
 * with the shim's lock held: nothing here may take it or call an
 * interposed name. */
void shim_image_prime(void)
{
	if (!shim_vf.active && shim_mode() == SHIM_MODE_ONLINE)
		(void)ic_get();
}

/* The cached verdict for the file an exec of (dirfd, path, flags) would
 * run (one stat), or MISS. */
static enum imgcache_verdict ic_lookup(void *cache, int dirfd, const char *path, int at_flags)
{
	struct imgcache_key key;
	struct stat st;

	/* Raw: stat() is interposed; this is the file the kernel will run. */
	if (cache == NULL ||
	    shim_raw_syscall(SYS_newfstatat, dirfd, (long)path, (long)&st,
			     at_flags & (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW), 0, 0) != 0)
		return IMGCACHE_MISS;
	imgcache_key_of(&key, &st);
	return imgcache_find(cache, &key);
}

/*
 * Remember a scan's verdict under the identity of the file scanned.  Not for
 * a file changed in the last SCAN_SETTLE_SEC seconds: timestamps move only
 * at the kernel's clock tick, so a same-size rewrite (or a new file reusing
 * the inode number) right after the scan could keep the same key.  Any
 * change sets st_ctim to the current time, so a change after a settled
 * entry was written always changes its key.
 */
static void scan_cache(void *cache, const struct scan *sc, enum imgcache_verdict v)
{
	struct imgcache_key key;
	struct timespec now;

	if (cache == NULL || clock_gettime(CLOCK_REALTIME, &now) < 0 ||
	    sc->st.st_ctim.tv_sec > now.tv_sec - SCAN_SETTLE_SEC)
		return;
	imgcache_key_of(&key, &sc->st);
	imgcache_put(cache, &key, v);
}

enum shim_image shim_image_kind_at(int dirfd, const char *path, int at_flags)
{
	struct scan sc;
	void *cache;
	enum imgcache_verdict v;

	/* Without JOBSHIM_LIB there is no name to take out of LD_PRELOAD. */
	if (path == NULL || shim_mode() != SHIM_MODE_ONLINE || shim_env_lib()[0] == '\0')
		return SHIM_IMAGE_KEEP;
	cache = ic_get();
	v = ic_lookup(cache, dirfd, path, at_flags);
	if (v == IMGCACHE_MISS) {
		/* A refused scan (scan_open) means a refused exec.  A
		 * fanotify listener that answers only the events it expects
		 * (LTP fanotify03, fanotify24) has just answered ours in place
		 * of the exec's; had the exec gone on, its open would wait for
		 * an answer that never comes. */
		if (!scan_open(&sc, dirfd, path, at_flags)) {
			if (sc.refused == 0)
				return SHIM_IMAGE_KEEP;
			errno = sc.refused;
			return SHIM_IMAGE_DENIED;
		}
		v = scan_verdict(&sc);
		scan_close(&sc);
		scan_cache(cache, &sc, v);
	}
	/* Its descriptor 1 may be a cgroup pid file: only the shim
	 * translates a pid written there, whatever the image imports
	 * (cgwrite.c). */
	if (v == IMGCACHE_PLAIN && shim_cgwrite_stdout_maybe())
		return SHIM_IMAGE_KEEP;
	return v == IMGCACHE_PLAIN   ? SHIM_IMAGE_PLAIN
	       : v == IMGCACHE_ALONE ? SHIM_IMAGE_ALONE
	       : v == IMGCACHE_RAW   ? SHIM_IMAGE_RAW
				     : SHIM_IMAGE_KEEP;
}

enum shim_image shim_image_kind(const char *path)
{
	return shim_image_kind_at(AT_FDCWD, path, 0);
}
