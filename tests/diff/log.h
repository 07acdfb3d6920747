/* log.h — one log file per process, one write() per line. */
#ifndef JSDIFF_LOG_H
#define JSDIFF_LOG_H

struct jsd;

/* Open logdir/NAME.log for process j->self (append: an exec'd image goes
 * on writing the same file). */
void log_open(struct jsd *j);
/* "NAME IDX: text\n" in one write, so a line is never torn by a kill. */
void log_line(struct jsd *j, int idx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A pid value as a label (shared.h): process name, init, ?N. */
void log_pid(struct jsd *j, int pid, char *out, int outlen);
/* A wait status as exited(N) / signaled(SIG[,core]) / stopped(SIG) /
 * continued, followed by the raw value. */
void log_status(int status, char *out, int outlen);
/* Signal name without "SIG", or the number. */
const char *log_signame(int sig, char *buf, int buflen);

#endif
