/* env.c — the environment handed to a new image: JOBSHIM_SELF, LD_PRELOAD and JOBSHIM_* put back. */
#include "shim.h"
#include "wordscan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Variables we add at most: JOBSHIM_SELF, LD_PRELOAD, JOBSHIM_SOCKET,
 * JOBSHIM_LIB, and the terminating NULL. */
#define ENV_EXTRA 5
/* "JOBSHIM_SELF=" + four ints and colons. */
#define ENV_SELF_MAX 64

/*
 * This file runs in every fork child about to exec, where each page touched
 * for the first time costs a page fault (a few µs here, per child): the
 * string helpers are loops of its own rather than libc's (pages a shell's
 * child would not touch otherwise), kept from being turned back into libc
 * calls, and the names are in writable data, on a page the parent has
 * written and the child inherits mapped, not in .rodata.
 */
#define ENV_LOOP __attribute__((optimize("no-tree-loop-distribute-patterns")))

static char name_self[] = "JOBSHIM_SELF=", name_sock[] = "JOBSHIM_SOCKET=",
	    name_lib[] = "JOBSHIM_LIB=", name_preload[] = "LD_PRELOAD=", colon[] = ":",
	    empty[] = "";

static size_t env_strlen(const char *s)
{
	return shim_strlen(s);
}

static ENV_LOOP void env_copy(char *to, const char *from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		to[i] = from[i];
}

static ENV_LOOP bool env_same(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* s is "NAME=..." for name "NAME=", one of the arrays above (its length
 * known here).  The first byte decides for almost every variable: an
 * environment is read twice per exec, in every shell child. */
#define has_prefix(s, name) ((s)[0] == (name)[0] && env_same((s), (name), sizeof(name) - 1))

/* Length of the LD_PRELOAD list element at p (up to ':' or ' '): a loop,
 * not strcspn, to keep a fork child about to exec off one more libc page. */
static size_t elem_len(const char *p)
{
	size_t n = 0;

	while (p[n] != '\0' && p[n] != ':' && p[n] != ' ')
		n++;
	return n;
}

/* True when the colon/space separated list holds `lib` as an element. */
static bool list_has(const char *list, const char *lib)
{
	size_t len = env_strlen(lib);

	for (const char *p = list; *p != '\0';) {
		size_t n = elem_len(p);
		if (n == len && env_same(p, lib, len))
			return true;
		p += n;
		if (*p != '\0')
			p++;
	}
	return false;
}

void shim_env_size(char *const envp[], size_t *nptr, size_t *nbytes)
{
	size_t n = 0, bytes = ENV_SELF_MAX;
	size_t lib = env_strlen(shim_env_lib()), sock = env_strlen(shim_env_socket());

	for (; envp != NULL && envp[n] != NULL; n++)
		if (has_prefix(envp[n], name_preload))
			bytes += env_strlen(envp[n]) + 1;
	bytes += sizeof("LD_PRELOAD=:") + lib;
	bytes += sizeof("JOBSHIM_SOCKET=") + sock;
	bytes += sizeof("JOBSHIM_LIB=") + lib;
	*nptr = n + ENV_EXTRA;
	*nbytes = bytes;
}

/* Bump allocator over the caller's byte buffer. */
struct sbuf {
	char *p;
	size_t left;
};

/* Append the concatenation of parts (NULL-terminated list) as one string. */
static char *sbuf_cat(struct sbuf *b, const char *const parts[])
{
	char *s = b->p;
	size_t len = 0;

	for (int i = 0; parts[i] != NULL; i++) {
		size_t l = env_strlen(parts[i]);
		if (len + l + 1 > b->left)
			return NULL;
		env_copy(s + len, parts[i], l);
		len += l;
	}
	s[len] = '\0';
	b->p += len + 1;
	b->left -= len + 1;
	return s;
}

#define CAT(b, ...) sbuf_cat((b), (const char *const[]){ __VA_ARGS__, NULL })

static char *self_string(struct sbuf *b, const pid_t self[4], unsigned hide)
{
	char tail[64];
	size_t n = 0;

	/* "V:R" or "V:R:VP:RP", then "/H" when something was put back */
	n += shim_fmt_int(tail + n, self[0]);
	tail[n++] = ':';
	n += shim_fmt_int(tail + n, self[1] > 0 ? self[1] : 0);
	if (self[2] > 0 && self[3] > 0) {
		tail[n++] = ':';
		n += shim_fmt_int(tail + n, self[2]);
		tail[n++] = ':';
		n += shim_fmt_int(tail + n, self[3]);
	}
	if (hide != 0) {
		tail[n++] = '/';
		n += shim_fmt_int(tail + n, (int)hide);
	}
	tail[n] = '\0';
	return CAT(b, name_self, tail);
}

/* "LD_PRELOAD=" + the list without `lib`, or NULL when nothing is left (or
 * no space: the variable is then left out, which only drops the others'
 * preloads for a program that needs none of ours). */
static char *preload_without(struct sbuf *b, const char *val, const char *lib)
{
	size_t len = env_strlen(lib), used;
	char *s = b->p;
	bool any = false;

	if (b->left < sizeof(name_preload))
		return NULL;
	env_copy(s, name_preload, sizeof(name_preload) - 1);
	used = sizeof(name_preload) - 1;
	for (const char *p = val; *p != '\0';) {
		size_t n = elem_len(p);
		if (n > 0 && !(n == len && env_same(p, lib, len))) {
			if (used + n + 2 > b->left)
				return NULL;
			if (any)
				s[used++] = ':';
			env_copy(s + used, p, n);
			used += n;
			any = true;
		}
		p += n;
		if (*p != '\0')
			p++;
	}
	if (!any)
		return NULL;
	s[used] = '\0';
	b->p += used + 1;
	b->left -= used + 1;
	return s;
}

static int env_build(char *const envp[], const pid_t self[4], char **out, size_t cap,
		     char *buf, size_t buflen, bool plain)
{
	struct sbuf b = { buf, buflen };
	const char *lib = shim_env_lib(), *sock = shim_env_socket();
	bool seen_preload = false, seen_sock = false, seen_lib = false;
	unsigned hide = 0;
	size_t n = 0;

	for (size_t i = 0; envp != NULL && envp[i] != NULL; i++) {
		char *e = envp[i];
		if (has_prefix(e, name_self))
			continue; /* ours is added below; a stale one never passes */
		if (n + ENV_EXTRA > cap)
			return -E2BIG;
		if (has_prefix(e, name_preload) && lib[0] != '\0' && plain) {
			seen_preload = true;
			e = preload_without(&b, e + sizeof(name_preload) - 1, lib);
			if (e == NULL)
				continue;
		} else if (has_prefix(e, name_preload) && lib[0] != '\0') {
			seen_preload = true;
			const char *val = e + sizeof(name_preload) - 1;
			if (!list_has(val, lib)) {
				/* Someone replaced LD_PRELOAD: put the shim first again. */
				e = CAT(&b, name_preload, lib, val[0] != '\0' ? colon : empty, val);
				if (e == NULL)
					return -E2BIG;
				hide |= SHIM_HIDE_PRELOAD_HEAD;
			}
		}
		if (has_prefix(e, name_sock))
			seen_sock = true;
		if (has_prefix(e, name_lib))
			seen_lib = true;
		out[n++] = e;
	}
	if (lib[0] != '\0' && !seen_preload && !plain) {
		if ((out[n++] = CAT(&b, name_preload, lib)) == NULL)
			return -E2BIG;
		hide |= SHIM_HIDE_PRELOAD;
	}
	if (!seen_sock) {
		if ((out[n++] = CAT(&b, name_sock, sock)) == NULL)
			return -E2BIG;
		hide |= SHIM_HIDE_SOCKET;
	}
	if (lib[0] != '\0' && !seen_lib) {
		if ((out[n++] = CAT(&b, name_lib, lib)) == NULL)
			return -E2BIG;
		hide |= SHIM_HIDE_LIB;
	}
	/* An image without the shim reads no identity (and could not take
	 * it out of its environ: `env` and `printenv` would differ). */
	if (self[0] > 0 && !plain && (out[n++] = self_string(&b, self, hide)) == NULL)
		return -E2BIG;
	out[n] = NULL;
	return 0;
}

int shim_env_build(char *const envp[], const pid_t self[4], char **out, size_t cap,
		   char *buf, size_t buflen)
{
	return env_build(envp, self, out, cap, buf, buflen, false);
}

size_t shim_envbuf_need(char *const envp[])
{
	size_t nptr, nbytes;

	shim_env_size(envp, &nptr, &nbytes);
	return nptr * sizeof(char *) + nbytes;
}

int shim_envbuf_make_for(struct shim_envbuf *eb, char *const envp[], const pid_t self[4],
			 bool plain, void *room, size_t roomlen)
{
	size_t nptr, nbytes, len;
	char **ptrs;
	char *bytes;

	eb->env = NULL;
	eb->map = NULL;
	eb->maplen = 0;
	shim_env_size(envp, &nptr, &nbytes);
	len = nptr * sizeof(char *) + nbytes;
	if (room == NULL || len > roomlen) {
		void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return -ENOMEM;
		eb->map = m;
		eb->maplen = len;
		if (shim_vf.active) {
			/* If the exec succeeds, the vfork parent unmaps it. */
			shim_vf.map = m;
			shim_vf.maplen = len;
		}
		room = m;
	}
	ptrs = room;
	bytes = (char *)room + nptr * sizeof(char *);
	int rc = env_build(envp, self, ptrs, nptr, bytes, nbytes, plain);
	if (rc < 0) {
		shim_envbuf_free(eb);
		return rc;
	}
	eb->env = ptrs;
	return 0;
}

void shim_envbuf_free(struct shim_envbuf *eb)
{
	if (eb->map != NULL) {
		munmap(eb->map, eb->maplen);
		if (shim_vf.active && shim_vf.map == eb->map)
			shim_vf.map = NULL;
	}
	eb->map = NULL;
	eb->env = NULL;
}

bool shim_env_lacks_ours(char *const envp[])
{
	bool sock = false, lib = shim_env_lib()[0] == '\0';

	for (size_t i = 0; envp != NULL && envp[i] != NULL && !(sock && lib); i++) {
		if (has_prefix(envp[i], name_sock))
			sock = true;
		else if (has_prefix(envp[i], name_lib))
			lib = true;
	}
	return !(sock && lib);
}

/* What shim_env_hide took out, for shim_env_unhide. */
static unsigned env_hidden;

/* "LD_PRELOAD=<lib>:<rest>" becomes "LD_PRELOAD=<rest>", in place: the
 * string is the program's (the initial stack), which the kernel's copy
 * shows too -- only JOBSHIM_SOCKET matters there. */
static bool preload_strip_head(char **envp, const char *lib)
{
	size_t len = env_strlen(lib);

	for (; envp != NULL && *envp != NULL; envp++) {
		char *v = *envp + sizeof(name_preload) - 1;
		if (!has_prefix(*envp, name_preload) || !env_same(v, lib, len) || (v[len] != ':' && v[len] != '\0'))
			continue;
		char *rest = v[len] == ':' ? v + len + 1 : v + len;
		size_t n = env_strlen(rest) + 1;
		for (size_t i = 0; i < n; i++)
			v[i] = rest[i];
		return true;
	}
	return false;
}

void shim_env_hide(char **envp, unsigned hide)
{
	const char *lib = shim_env_lib();

	if (hide & SHIM_HIDE_SOCKET)
		shim_env_drop(envp, "JOBSHIM_SOCKET");
	if ((hide & SHIM_HIDE_LIB) && lib[0] != '\0')
		shim_env_drop(envp, "JOBSHIM_LIB");
	else
		hide &= ~(unsigned)SHIM_HIDE_LIB;
	if ((hide & SHIM_HIDE_PRELOAD) && lib[0] != '\0' && shim_env_find(envp, "LD_PRELOAD") != NULL &&
	    env_same(shim_env_find(envp, "LD_PRELOAD"), lib, env_strlen(lib) + 1)) {
		shim_env_drop(envp, "LD_PRELOAD");
		hide &= ~(unsigned)SHIM_HIDE_PRELOAD_HEAD;
	} else {
		hide &= ~(unsigned)SHIM_HIDE_PRELOAD;
		if (!(hide & SHIM_HIDE_PRELOAD_HEAD) || lib[0] == '\0' || !preload_strip_head(envp, lib))
			hide &= ~(unsigned)SHIM_HIDE_PRELOAD_HEAD;
	}
	env_hidden = hide;
}

void shim_env_unhide(void)
{
	const char *lib = shim_env_lib(), *cur;

	if (env_hidden & SHIM_HIDE_SOCKET)
		setenv("JOBSHIM_SOCKET", shim_env_socket(), 0);
	if (env_hidden & SHIM_HIDE_LIB)
		setenv("JOBSHIM_LIB", lib, 0);
	if (env_hidden & SHIM_HIDE_PRELOAD)
		setenv("LD_PRELOAD", lib, 0);
	if ((env_hidden & SHIM_HIDE_PRELOAD_HEAD) && (cur = getenv("LD_PRELOAD")) != NULL) {
		size_t len = env_strlen(lib) + 1 + env_strlen(cur) + 1;
		char *v = malloc(len);
		if (v != NULL) {
			snprintf(v, len, "%s%s%s", lib, cur[0] != '\0' ? ":" : "", cur);
			setenv("LD_PRELOAD", v, 1);
			free(v);
		}
	}
	env_hidden = 0;
}
