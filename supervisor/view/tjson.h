/* tjson.h — a reader for one line of a jobshim trace: a flat JSON object. */
#ifndef JOBSHIM_TJSON_H
#define JOBSHIM_TJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The trace's objects are flat (docs/trace.md): numbers, strings, null,
 * booleans and arrays of numbers or strings.  That is all this reader
 * keeps; a nested object (a field added later) reads as null, and array
 * elements that are not numbers read as 0.  What is not JSON (a cut line)
 * makes the line unreadable, which the callers report and skip.
 */

enum tjson_type { TJSON_NULL, TJSON_BOOL, TJSON_NUM, TJSON_STR, TJSON_ARR };

struct tjson_val {
	enum tjson_type type;
	double num;        /* TJSON_NUM; TJSON_BOOL: 0 or 1 */
	const char *str;   /* TJSON_STR: unescaped, NUL-terminated, inside the line's buffer */
	size_t arr_off;    /* TJSON_ARR: its numbers are nums[arr_off .. arr_off+arr_n) */
	size_t arr_n;      /* (other elements are counted, their number is 0) */
};

#define TJSON_MAX_FIELDS 32

struct tjson {
	char *buf;            /* owned copy of the line, unescaped in place */
	size_t nf;
	const char *key[TJSON_MAX_FIELDS];
	struct tjson_val val[TJSON_MAX_FIELDS];
	double *nums;         /* owned: every array's numbers, in order */
	size_t nnums, capnums;
};

/* Parse `line` (len bytes, no need for a NUL); 0, -EINVAL when it is not a
 * flat JSON object, -ENOMEM.  `j` is reused across lines: zero it before
 * the first call and tjson_free it after the last. */
int tjson_parse(struct tjson *j, const char *line, size_t len);
void tjson_free(struct tjson *j);

const struct tjson_val *tjson_get(const struct tjson *j, const char *key);
/* The field as an integer, or `def` when absent or not a number. */
int64_t tjson_int(const struct tjson *j, const char *key, int64_t def);
/* The field as a string, or NULL when absent or not a string. */
const char *tjson_str(const struct tjson *j, const char *key);
/* Element i of an array field of numbers. */
int64_t tjson_arr_int(const struct tjson *j, const struct tjson_val *v, size_t i);

#endif
