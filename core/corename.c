/* corename.c — core_pattern's file name for a pid (corename.h). */
#include "corename.h"

#include <stdio.h>
#include <string.h>

/* Append s to out[*n]; false when it does not fit (with its NUL). */
static bool put(char *out, size_t cap, size_t *n, const char *s)
{
	size_t len = strlen(s);

	if (*n + len + 1 > cap)
		return false;
	memcpy(out + *n, s, len + 1);
	*n += len;
	return true;
}

bool corename_build(const char *pattern, bool uses_pid, pid_t pid, int sig, char *out, size_t cap)
{
	const char *pat = pattern[0] != '\0' ? pattern : "core";
	bool has_pid = false;
	size_t n = 0;
	char num[24];

	if (cap == 0 || pat[0] == '|')
		return false;
	out[0] = '\0';
	for (const char *p = pat; *p; p++) {
		char one[2] = { *p, '\0' };
		const char *add = one;
		if (*p == '%') {
			p++;
			if (*p == 'p') {
				snprintf(num, sizeof(num), "%d", (int)pid);
				add = num;
				has_pid = true;
			} else if (*p == 's') {
				snprintf(num, sizeof(num), "%d", sig);
				add = num;
			} else if (*p == '%') {
				add = "%";
			} else {
				return false;
			}
		}
		if (!put(out, cap, &n, add))
			return false;
	}
	if (!has_pid && uses_pid) {
		snprintf(num, sizeof(num), ".%d", (int)pid);
		if (!put(out, cap, &n, num))
			return false;
	}
	return true;
}
