/* tjson.c — parse one trace line (a flat JSON object) in place. */
#include "tjson.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cur {
	char *p, *end;
};

static void skip_ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char ch = p[i];
		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v |= (unsigned)(ch - 'A' + 10);
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *w, unsigned cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xc0 | cp >> 6);
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xe0 | cp >> 12);
		*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*w++ = (char)(0xf0 | cp >> 18);
		*w++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	}
	return w;
}

/* A string at c->p (the opening quote), unescaped in place: the text only
 * shrinks, so writing behind the reading cursor is safe. */
static int parse_str(struct cur *c, const char **out)
{
	char *w;

	if (c->p >= c->end || *c->p != '"')
		return -EINVAL;
	w = ++c->p;
	*out = w;
	while (c->p < c->end && *c->p != '"') {
		unsigned cp, lo;

		if ((unsigned char)*c->p < 0x20)
			return -EINVAL;
		if (*c->p != '\\') {
			*w++ = *c->p++;
			continue;
		}
		if (c->end - c->p < 2)
			return -EINVAL;
		switch (c->p[1]) {
		case '"': case '\\': case '/':
			*w++ = c->p[1];
			break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u':
			if (c->end - c->p < 6 || hex4(c->p + 2, &cp) < 0)
				return -EINVAL;
			c->p += 4;
			/* A surrogate pair is one code point; a lone half becomes '?'. */
			if (cp >= 0xd800 && cp < 0xdc00 && c->end - c->p >= 8 && c->p[2] == '\\' &&
			    c->p[3] == 'u' && hex4(c->p + 4, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				c->p += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = '?';
			}
			/* NUL would cut the C string: keep it visible instead. */
			w = put_utf8(w, cp ? cp : '?');
			break;
		default:
			return -EINVAL;
		}
		c->p += 2;
	}
	if (c->p >= c->end)
		return -EINVAL;
	c->p++;
	*w = '\0';
	return 0;
}

static int parse_num(struct cur *c, double *out)
{
	char *e;

	/* strtod also takes "inf", hex and leading '+': JSON does not. */
	if (c->p >= c->end || !(*c->p == '-' || (*c->p >= '0' && *c->p <= '9')))
		return -EINVAL;
	*out = strtod(c->p, &e);
	if (e == c->p || e > c->end)
		return -EINVAL;
	c->p = e;
	return 0;
}

static int word(struct cur *c, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

static int push_num(struct tjson *j, double v)
{
	if (j->nnums == j->capnums) {
		size_t cap = j->capnums ? 2 * j->capnums : 64;
		double *n = realloc(j->nums, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		j->nums = n;
		j->capnums = cap;
	}
	j->nums[j->nnums++] = v;
	return 0;
}

static int word(struct cur *c, const char *w);

/* Skip a nested object or array at c->p (fields may be added to the
 * schema, of any shape: a reader passes over what it does not use). */
static int skip_nested(struct cur *c)
{
	int depth = 0;

	do {
		if (c->p >= c->end)
			return -EINVAL;
		if (*c->p == '"') {
			const char *ignored;
			int rc = parse_str(c, &ignored);
			if (rc < 0)
				return rc;
			continue;
		}
		if (*c->p == '{' || *c->p == '[')
			depth++;
		else if (*c->p == '}' || *c->p == ']')
			depth--;
		c->p++;
	} while (depth > 0);
	return 0;
}

static int parse_arr(struct tjson *j, struct cur *c, struct tjson_val *v)
{
	int rc;

	v->type = TJSON_ARR;
	v->arr_off = j->nnums;
	v->arr_n = 0;
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		return 0;
	}
	for (;;) {
		double d = 0;
		const char *s;

		skip_ws(c);
		if (c->p < c->end && (*c->p == '{' || *c->p == '['))
			rc = skip_nested(c);
		else if (word(c, "null") || word(c, "true") || word(c, "false"))
			rc = 0;
		else
			rc = c->p < c->end && *c->p == '"' ? parse_str(c, &s) : parse_num(c, &d);
		if (rc < 0 || (rc = push_num(j, d)) < 0)
			return rc;
		v->arr_n++;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == ']') {
			c->p++;
			return 0;
		}
		return -EINVAL;
	}
}

static int parse_val(struct tjson *j, struct cur *c, struct tjson_val *v)
{
	memset(v, 0, sizeof(*v));
	if (c->p >= c->end)
		return -EINVAL;
	if (*c->p == '"') {
		v->type = TJSON_STR;
		return parse_str(c, &v->str);
	}
	if (*c->p == '[')
		return parse_arr(j, c, v);
	if (*c->p == '{') {
		v->type = TJSON_NULL; /* not a shape of this schema: read as absent */
		return skip_nested(c);
	}
	if (word(c, "null")) {
		v->type = TJSON_NULL;
		return 0;
	}
	if (word(c, "true") || word(c, "false")) {
		v->type = TJSON_BOOL;
		v->num = c->p[-1] == 'e' && c->p[-2] == 'u';
		return 0;
	}
	v->type = TJSON_NUM;
	return parse_num(c, &v->num);
}

int tjson_parse(struct tjson *j, const char *line, size_t len)
{
	struct cur c;
	char *nb = realloc(j->buf, len + 1);
	int rc;

	if (!nb)
		return -ENOMEM;
	j->buf = nb;
	memcpy(nb, line, len);
	nb[len] = '\0';
	j->nf = 0;
	j->nnums = 0;
	c.p = nb;
	c.end = nb + len;
	skip_ws(&c);
	if (c.p >= c.end || *c.p++ != '{')
		return -EINVAL;
	skip_ws(&c);
	if (c.p < c.end && *c.p == '}')
		c.p++;
	else
		for (;;) {
			const char *key;
			struct tjson_val v;

			skip_ws(&c);
			if ((rc = parse_str(&c, &key)) < 0)
				return rc;
			skip_ws(&c);
			if (c.p >= c.end || *c.p++ != ':')
				return -EINVAL;
			skip_ws(&c);
			if ((rc = parse_val(j, &c, &v)) < 0)
				return rc;
			/* Fields beyond the table are dropped: not ours to know. */
			if (j->nf < TJSON_MAX_FIELDS) {
				j->key[j->nf] = key;
				j->val[j->nf++] = v;
			}
			skip_ws(&c);
			if (c.p < c.end && *c.p == ',') {
				c.p++;
				continue;
			}
			if (c.p < c.end && *c.p == '}') {
				c.p++;
				break;
			}
			return -EINVAL;
		}
	skip_ws(&c);
	return c.p == c.end ? 0 : -EINVAL;
}

void tjson_free(struct tjson *j)
{
	free(j->buf);
	free(j->nums);
	memset(j, 0, sizeof(*j));
}

const struct tjson_val *tjson_get(const struct tjson *j, const char *key)
{
	for (size_t i = 0; i < j->nf; i++)
		if (strcmp(j->key[i], key) == 0)
			return &j->val[i];
	return NULL;
}

int64_t tjson_int(const struct tjson *j, const char *key, int64_t def)
{
	const struct tjson_val *v = tjson_get(j, key);

	return v && v->type == TJSON_NUM ? (int64_t)v->num : def;
}

const char *tjson_str(const struct tjson *j, const char *key)
{
	const struct tjson_val *v = tjson_get(j, key);

	return v && v->type == TJSON_STR ? v->str : NULL;
}

int64_t tjson_arr_int(const struct tjson *j, const struct tjson_val *v, size_t i)
{
	return i < v->arr_n ? (int64_t)j->nums[v->arr_off + i] : 0;
}
