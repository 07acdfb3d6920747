/* nextsym.c — dlsym(RTLD_NEXT, name) for real.c's names, read straight from the loaded objects' symbol tables. */
#include "shim.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

/*
 * real.c resolves about 90 names (each at its first use since session 15,
 * before main until then).  Through dlsym(RTLD_NEXT) that took 23-37 µs of each image's
 * start (the loader's lock, the caller's object looked up, the whole
 * scope searched for every name): more than the rest of the shim's start.
 * Here the same answers cost 12-15 µs in all, most of it the first touches
 * of libc's tables: the objects loaded after ours, in
 * load order -- the preloads after us, then the program's libraries, libc
 * among them, all in the global scope at constructor time -- searched
 * through their GNU hash tables for a defined global or weak symbol of the
 * default version (an old version, marked hidden, is never the answer:
 * dlsym gives the newest, posix_spawn@@GLIBC_2.15 and not @GLIBC_2.2.5).
 *
 * Anything unusual is left to dlsym itself, which stays the reference:
 * an object without a GNU hash table, an IFUNC (its resolver would have
 * to run), a name found only in a hidden version, or not found at all.
 * The .dynamic entries hold run-time addresses once the loader has
 * relocated them (glibc does, in place, except in a read-only dynamic
 * section like the vDSO's): a value below the object's base is still an
 * offset.
 */

struct nextobj {
	ElfW(Addr) base;
	const ElfW(Sym) *sym;
	const char *str;
	const uint32_t *gnuhash;
	const ElfW(Versym) *versym;
};

static ElfW(Addr) dyn_ptr(const struct link_map *lm, ElfW(Addr) v)
{
	return v < lm->l_addr ? v + lm->l_addr : v;
}

/* The tables of lm; false when it has no symbol table or no GNU hash. */
static bool obj_tables(const struct link_map *lm, struct nextobj *o)
{
	memset(o, 0, sizeof(*o));
	o->base = lm->l_addr;
	if (lm->l_ld == NULL)
		return false;
	for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_SYMTAB:
			o->sym = (const ElfW(Sym) *)dyn_ptr(lm, d->d_un.d_ptr);
			break;
		case DT_STRTAB:
			o->str = (const char *)dyn_ptr(lm, d->d_un.d_ptr);
			break;
		case DT_GNU_HASH:
			o->gnuhash = (const uint32_t *)dyn_ptr(lm, d->d_un.d_ptr);
			break;
		case DT_VERSYM:
			o->versym = (const ElfW(Versym) *)dyn_ptr(lm, d->d_un.d_ptr);
			break;
		}
	}
	return o->sym != NULL && o->str != NULL && o->gnuhash != NULL;
}

enum found { NOT_HERE, FOUND, ASK_DLSYM };

/* name (its GNU hash h) in o: FOUND with *addr, NOT_HERE, or ASK_DLSYM. */
static enum found obj_lookup(const struct nextobj *o, const char *name, uint32_t h, void **addr)
{
	const uint32_t nbuckets = o->gnuhash[0], symoffset = o->gnuhash[1];
	const uint32_t bloom_size = o->gnuhash[2], bloom_shift = o->gnuhash[3];
	const ElfW(Addr) *bloom = (const ElfW(Addr) *)&o->gnuhash[4];
	const uint32_t *buckets = (const uint32_t *)&bloom[bloom_size];
	const uint32_t *chain = &buckets[nbuckets];
	const unsigned bits = sizeof(ElfW(Addr)) * 8;
	ElfW(Addr) word, mask;
	bool hidden_seen = false;
	uint32_t i;

	if (nbuckets == 0 || bloom_size == 0)
		return NOT_HERE;
	word = bloom[(h / bits) % bloom_size];
	mask = ((ElfW(Addr))1 << (h % bits)) | ((ElfW(Addr))1 << ((h >> bloom_shift) % bits));
	if ((word & mask) != mask)
		return NOT_HERE;
	i = buckets[h % nbuckets];
	if (i < symoffset)
		return NOT_HERE;
	for (;; i++) {
		uint32_t h2 = chain[i - symoffset];
		const ElfW(Sym) *s = &o->sym[i];

		if ((h | 1) == (h2 | 1) && strcmp(name, o->str + s->st_name) == 0 &&
		    s->st_shndx != SHN_UNDEF &&
		    (ELF64_ST_BIND(s->st_info) == STB_GLOBAL || ELF64_ST_BIND(s->st_info) == STB_WEAK)) {
			if (o->versym != NULL && (o->versym[i] & 0x8000)) {
				hidden_seen = true;
			} else if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC || s->st_value == 0) {
				return ASK_DLSYM;
			} else {
				*addr = (void *)(o->base + s->st_value);
				return FOUND;
			}
		}
		if (h2 & 1)
			break;
	}
	return hidden_seen ? ASK_DLSYM : NOT_HERE;
}

static uint32_t gnu_hash(const char *s)
{
	uint32_t h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

/* Our own link map: the walk starts after it.  Found in the loader's list
 * by our .dynamic (dladdr1 would take the loader's lock: 5 µs cold). */
extern ElfW(Dyn) _DYNAMIC[];

static struct link_map *self_map(void)
{
	for (struct link_map *lm = _r_debug.r_map; lm != NULL; lm = lm->l_next)
		if (lm->l_ld == _DYNAMIC)
			return lm;
	return NULL;
}

/* The tables of the objects after ours, up to the first one this file
 * cannot read (names not found before it go to dlsym).  Made once, by
 * the constructor (shim_next_prepare, through real_resolve), one thread;
 * or by the first lookup, if another library's constructor calls a
 * wrapper before ours runs. */
#define NEXT_MAX 16
static SHIM_START_DATA struct nextobj next_objs[NEXT_MAX];
static int next_n = -1;

static void next_scan(void)
{
	struct link_map *self = self_map();

	next_n = 0;
	for (struct link_map *lm = self != NULL ? self->l_next : NULL; lm != NULL && next_n < NEXT_MAX;
	     lm = lm->l_next) {
		if (!obj_tables(lm, &next_objs[next_n]))
			break;
		next_n++;
	}
}

void shim_next_prepare(void)
{
	if (next_n < 0)
		next_scan();
}

void *shim_next_sym(const char *name)
{
	uint32_t h = gnu_hash(name);
	void *addr;

	if (next_n < 0)
		next_scan();
	for (int i = 0; i < next_n; i++) {
		enum found f = obj_lookup(&next_objs[i], name, h, &addr);
		if (f == FOUND)
			return addr;
		if (f == ASK_DLSYM)
			break;
	}
	return dlsym(RTLD_NEXT, name);
}
