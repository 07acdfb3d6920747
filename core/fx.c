/* fx.c — the caller-owned effect list: reserve first, then append without failure. */
#include "eng_internal.h"

#include <stdlib.h>

#define FX_MIN_CAP 16

void eng_fx_init(struct eng_fx *fx)
{
	memset(fx, 0, sizeof(*fx));
}

void eng_fx_clear(struct eng_fx *fx)
{
	fx->n = 0;
	fx->nids = 0;
}

void eng_fx_free(struct eng_fx *fx)
{
	free(fx->v);
	free(fx->ids);
	eng_fx_init(fx);
}

/* Grow *arr (elements of `elsize` bytes, capacity *cap) to hold `need`. */
static int fx_grow(void **arr, size_t *cap, size_t need, size_t elsize)
{
	size_t ncap = *cap ? *cap : FX_MIN_CAP;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elsize)
			return -ENOMEM;
		ncap *= 2;
	}
	p = realloc(*arr, ncap * elsize);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int fx_reserve(struct eng *e, struct eng_fx *fx, size_t neff, size_t nids)
{
	int rc;

	/* The test hook counts a reservation as one allocation, whether or not
	 * it actually needs to grow, so failure paths are reachable with a
	 * warm fx. */
	if (eng_alloc_should_fail(e))
		return -ENOMEM;
	if (neff > SIZE_MAX - fx->n || nids > SIZE_MAX - fx->nids)
		return -ENOMEM;
	rc = fx_grow((void **)&fx->v, &fx->cap, fx->n + neff, sizeof(*fx->v));
	if (rc == 0 && nids)
		rc = fx_grow((void **)&fx->ids, &fx->capids, fx->nids + nids, sizeof(*fx->ids));
	return rc;
}

static struct eng_effect *fx_push(struct eng_fx *fx)
{
	struct eng_effect *ef;

	/* A missing reservation is an engine bug; dropping the effect would be
	 * silent, so the pushing code always reserves (tests count effects). */
	if (fx->n >= fx->cap)
		return NULL;
	ef = &fx->v[fx->n++];
	memset(ef, 0, sizeof(*ef));
	ef->ids_off = fx->nids;
	return ef;
}

size_t fx_event(struct eng_fx *fx, enum eng_event ev, int32_t vpid, int32_t a, int32_t b, int32_t c)
{
	struct eng_effect *ef = fx_push(fx);

	if (!ef)
		return fx->n;
	ef->kind = ENG_FX_EVENT;
	ef->ev = ev;
	ef->vpid = vpid;
	ef->a = a;
	ef->b = b;
	ef->c = c;
	return fx->n - 1;
}

void fx_signal(struct eng_fx *fx, int32_t vpid, int sig)
{
	struct eng_effect *ef = fx_push(fx);

	if (!ef)
		return;
	ef->kind = ENG_FX_SIGNAL;
	ef->vpid = vpid;
	ef->sig = sig;
}

void fx_add_id(struct eng_fx *fx, size_t idx, int32_t id)
{
	if (idx >= fx->n || fx->nids >= fx->capids)
		return;
	fx->ids[fx->nids++] = id;
	fx->v[idx].nids++;
}
