/* util.c — small async-signal-safe helpers: warnings, integers, environ lookup. */
#include "shim.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void shim_warn(const char *msg)
{
	char buf[256];
	size_t n = 0;
	int saved = errno;

	static const char head[] = "jobshim: ";
	memcpy(buf, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	for (; *msg != '\0' && n < sizeof(buf) - 1; msg++)
		buf[n++] = *msg;
	buf[n++] = '\n';
	while (write(STDERR_FILENO, buf, n) < 0 && errno == EINTR)
		;
	errno = saved;
}

size_t shim_fmt_int(char *buf, long v)
{
	char tmp[24];
	size_t n = 0, len = 0;
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}

bool shim_parse_int(const char **s, long *out)
{
	const char *p = *s;
	long v = 0;
	bool neg = false;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		if (v > (0x7fffffffL - 9) / 10)
			return false;
		v = v * 10 + (*p++ - '0');
	}
	*out = neg ? -v : v;
	*s = p;
	return true;
}

const char *shim_env_find(char *const envp[], const char *name)
{
	size_t len = strlen(name);

	if (envp == NULL)
		return NULL;
	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

bool shim_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t len = strlen(src);

	if (len >= cap) {
		dst[0] = '\0';
		return false;
	}
	memcpy(dst, src, len + 1);
	return true;
}

void shim_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	int saved = errno;

	nanosleep(&ts, NULL);
	errno = saved;
}
