/* notif.h — shared by notif.c and notif_sig.c: the caller of one seccomp notification. */
#ifndef JOBSHIM_NOTIF_H
#define JOBSHIM_NOTIF_H

#include "sup.h"

#include <linux/types.h>

/* Credentials from /proc/<pid>/status, for the kernel's kill permission rule. */
struct cred {
	long uid[3]; /* real, effective, saved */
	unsigned long long capeff;
	bool ok;
};

/* One notification's caller, as a client of the ordinary handlers. */
struct call {
	struct sup *s;
	struct sup_client c; /* the caller as a client: rpid = its thread group */
	pid_t tid;
	struct cred cr;
	bool cr_read;
};

/* A field of /proc/<tid>/status ("Tgid:"): its number, or -1; the line's
 * rest into out when out is not NULL. */
long notif_status_field(pid_t tid, const char *key, char *out, size_t outlen);
/* ... the whole file into buf (0, or -1), and a field of it read so. */
int notif_status_read(pid_t tid, char *buf, size_t len);
long notif_status_get(const char *buf, const char *key, char *out, size_t outlen);
/* tid's thread group, or -1 (remembered, checked on each use). */
long notif_tgid_of(pid_t tid);
/* Is tid a thread of tgid now (/proc/<tgid>/task/<tid>)? */
bool notif_is_thread_of(pid_t tid, pid_t tgid);
/* Who tid is: its thread group and vpid (registered lazily, as a HELLO;
 * vpid 0 when it is not in the tree). */
void notif_caller(struct sup *s, pid_t tid, struct call *k);
/* One request through the ordinary handlers (trace included): r->err. */
int notif_run_op(struct call *k, uint16_t op, int32_t a, int32_t b, int32_t c,
		 struct proto_rep *r);
/* notif_sig.c: kill, and tkill/tgkill/rt_sigqueueinfo/rt_tgsigqueueinfo
 * (x86-64 numbers, the notification's arguments): the value or -errno. */
long notif_kill(struct call *k, int32_t pid, int sig);
long notif_tgsend(struct call *k, long nr, const __u64 *a);

#endif
