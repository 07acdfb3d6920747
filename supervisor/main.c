/* main.c — the jobshim command line: `run`, `ps`, `view`, `why`, --help, --version. */
#include "sup.h"
#include "view/view.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAIN_EXIT_USAGE 125 /* as timeout(1) and env(1): jobshim itself failed */

static const char main_usage[] =
	"Usage: jobshim run [OPTION]... [--] COMMAND [ARG]...\n"
	"  or:  jobshim ps [--socket PATH | --pid PID] [--json]\n"
	"  or:  jobshim view TRACE [-o FILE]\n"
	"  or:  jobshim why VPID TRACE\n"
	"  or:  jobshim --help | --version\n"
	"Run COMMAND in a virtual job-control namespace (jobshim is its pid 1),\n"
	"show the process tree of a running namespace, draw a trace of a run as an\n"
	"HTML timeline (view) or tell why a process got its signals (why).\n"
	"\n"
	"      --help     display this help and exit\n"
	"      --version  output version information and exit\n"
	"\n"
	"'jobshim COMMAND --help' describes each command.\n";

static const char run_usage[] =
	"Usage: jobshim run [OPTION]... [--] COMMAND [ARG]...\n"
	"Run COMMAND with libjobshim.so preloaded into every process of its tree,\n"
	"inside a virtual pid namespace: COMMAND is pid 2, leader of session 2.\n"
	"When COMMAND exits, processes still running are reported as leftovers on\n"
	"stderr and terminated (SIGTERM, then SIGKILL after the grace period).\n"
	"\n"
	"      --lib PATH          use this libjobshim.so (default: beside the jobshim\n"
	"                            binary, else " "$PREFIX/lib/jobshim/libjobshim.so)\n"
	"      --trace FILE        write every event as JSON Lines to FILE;\n"
	"                            '-' prints them as readable text on stderr\n"
	"      --trace-html FILE   at the end, draw the trace as an HTML timeline in\n"
	"                            FILE (as 'jobshim view'); the JSON Lines go to\n"
	"                            the --trace FILE, or a temporary file\n"
	"      --timeout DURATION  after DURATION, terminate the whole tree; exit 124\n"
	"      --grace DURATION    time between SIGTERM and SIGKILL (default 2s)\n"
	"      --settle DURATION   after COMMAND exits, time for the rest of the tree\n"
	"                            to finish exiting before what still runs is\n"
	"                            a leftover (default 1s; 0: at once); while the\n"
	"                            tree is busy, up to 10 times that\n"
	"      --keep              report leftovers but leave them running\n"
	"      --wait              wait for the whole tree to finish on its own\n"
	"      --fail-on-leak      exit 3 when any process was left over\n"
	"      --first-pid N       number COMMAND N (default 2), its children N+1, ...:\n"
	"                            runs at the same time that share /tmp each get\n"
	"                            their own range, so that files named after $$\n"
	"                            do not collide; pids stay below the machine's\n"
	"                            pid_max unless N is above it (then 4194303)\n"
	"      --help              display this help and exit\n"
	"\n"
	"DURATION is a number with an optional suffix: ms, s (default), m or h.\n"
	"SIGINT, SIGTERM and SIGQUIT sent to jobshim from outside are forwarded\n"
	"to the whole tree, which is killed after the grace period. SIGHUP from\n"
	"outside reaches COMMAND's process group only (the job, as natively);\n"
	"the tree carries on.\n"
	"\n"
	"Exit status:\n"
	"  124  the --timeout expired\n"
	"  125  jobshim itself failed (bad option, library not found, /proc not\n"
	"       its own, ...), or COMMAND succeeded but --trace could not be written\n"
	"  126  COMMAND was found but could not be run\n"
	"  127  COMMAND was not found\n"
	"  3    --fail-on-leak and a process was left over\n"
	"  128+N  jobshim was stopped by signal N, or COMMAND died of signal N\n"
	"  otherwise the exit status of COMMAND.\n";

static int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "jobshim: %s%s", cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'jobshim%s%s --help' for more information.\n", cmd ? " " : "",
		cmd ? cmd : "");
	return MAIN_EXIT_USAGE;
}

/* "10", "10s", "1.5s", "500ms", "2m", "1h" -> nanoseconds; -1 when invalid. */
static int64_t parse_duration(const char *arg)
{
	char *end;
	double v, mult = 1e9;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || errno || !isfinite(v) || v < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		mult = 1e6;
	else if (strcmp(end, "m") == 0)
		mult = 60e9;
	else if (strcmp(end, "h") == 0)
		mult = 3600e9;
	else if (*end && strcmp(end, "s") != 0)
		return -1;
	if (v * mult > 9e18)
		return -1;
	return (int64_t)(v * mult);
}

/* --trace-html: the run traced to a file (--trace's, else a temporary one,
 * removed once drawn), then drawn.  The command's status stands unless the
 * page could not be written after a successful run: then jobshim itself
 * failed (125). */
static int run_html(struct sup_opts *o, const char *html)
{
	static char tmp[4096];
	bool own = !o->trace;
	int fd, rc;

	if (o->trace && strcmp(o->trace, "-") == 0)
		return usage_error("run", "%s", "--trace-html needs the JSON Lines: not with --trace -");
	/* A page that cannot be written is said before the command runs,
	 * as --trace's file is, not after it (its status then lost). */
	if (strcmp(html, "-") != 0) {
		fd = open(html, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0) {
			fprintf(stderr, "jobshim: --trace-html %s: %s\n", html, strerror(errno));
			return MAIN_EXIT_USAGE;
		}
		close(fd);
	}
	if (own) {
		const char *dir = getenv("TMPDIR");

		snprintf(tmp, sizeof(tmp), "%s/jobshim-trace-XXXXXX", dir && *dir ? dir : "/tmp");
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "jobshim: run: cannot create a temporary trace: %s\n", strerror(errno));
			return MAIN_EXIT_USAGE;
		}
		close(fd);
		o->trace = tmp;
	}
	rc = run_main(o);
	/* A temporary file's name says nothing: title the page with the command. */
	if (view_render(o->trace, html, own ? o->argv[0] : NULL) < 0) {
		if (own)
			fprintf(stderr, "jobshim: run: the trace is kept in %s\n", o->trace);
		return rc == 0 ? MAIN_EXIT_USAGE : rc;
	}
	if (own)
		unlink(o->trace);
	return rc;
}

/* --first-pid: a decimal number from 2 (init is 1) to one below the
 * engine's vpid_max, so that the counter has room; -1 otherwise. */
static int32_t parse_first_pid(const char *arg)
{
	char *end;
	long v;

	if (arg[0] < '0' || arg[0] > '9')
		return -1;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || *end != '\0' || v < 2 || v >= SUP_VPID_LIMIT)
		return -1;
	return (int32_t)v;
}

static int cmd_run(int argc, char **argv)
{
	enum { O_LIB = 1, O_TRACE, O_HTML, O_TIMEOUT, O_GRACE, O_SETTLE, O_KEEP, O_WAIT, O_LEAK, O_FIRST, O_HELP };
	static const struct option longopts[] = {
		{"lib", required_argument, NULL, O_LIB},
		{"trace", required_argument, NULL, O_TRACE},
		{"trace-html", required_argument, NULL, O_HTML},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		{"grace", required_argument, NULL, O_GRACE},
		{"settle", required_argument, NULL, O_SETTLE},
		{"keep", no_argument, NULL, O_KEEP},
		{"wait", no_argument, NULL, O_WAIT},
		{"fail-on-leak", no_argument, NULL, O_LEAK},
		{"first-pid", required_argument, NULL, O_FIRST},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	struct sup_opts o = {.grace_ns = 2000000000LL, .settle_ns = SUP_SETTLE_NS, .first_pid = 2};
	bool keep = false, wait = false;
	const char *html = NULL;
	int c;

	/* Before any call the outer tree's shim would take. */
	if (nest_detach() < 0)
		return MAIN_EXIT_USAGE;
	opterr = 0;
	optind = 1;
	/* '+': options end at COMMAND, whose own options are its business. */
	while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
		switch (c) {
		case O_LIB:
			o.lib = optarg;
			break;
		case O_TRACE:
			o.trace = optarg;
			break;
		case O_HTML:
			html = optarg;
			break;
		case O_TIMEOUT:
			o.timeout_ns = parse_duration(optarg);
			if (o.timeout_ns < 0)
				return usage_error("run", "invalid duration for --timeout: '%s'", optarg);
			break;
		case O_GRACE:
			o.grace_ns = parse_duration(optarg);
			if (o.grace_ns < 0)
				return usage_error("run", "invalid duration for --grace: '%s'", optarg);
			break;
		case O_SETTLE:
			o.settle_ns = parse_duration(optarg);
			if (o.settle_ns < 0)
				return usage_error("run", "invalid duration for --settle: '%s'", optarg);
			break;
		case O_KEEP:
			keep = true;
			break;
		case O_WAIT:
			wait = true;
			break;
		case O_LEAK:
			o.fail_on_leak = true;
			break;
		case O_FIRST:
			o.first_pid = parse_first_pid(optarg);
			if (o.first_pid < 0)
				return usage_error("run", "invalid pid for --first-pid: '%s' (2 to %d)", optarg,
						   SUP_VPID_LIMIT - 1);
			break;
		case O_HELP:
			fputs(run_usage, stdout);
			return 0;
		case ':':
			return usage_error("run", "option '%s' requires an argument", argv[optind - 1]);
		default:
			return usage_error("run", "unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (keep && wait)
		return usage_error("run", "%s", "--keep and --wait exclude each other");
	if (optind >= argc)
		return usage_error("run", "%s", "missing COMMAND");
	o.end = keep ? SUP_END_KEEP : wait ? SUP_END_WAIT : SUP_END_TEARDOWN;
	o.argv = argv + optind;
	if (html)
		return run_html(&o, html);
	return run_main(&o);
}

int main(int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], "jobshim-guard") == 0)
		return guard_main(argc, argv); /* exec'd by guard_start: guard.c */
	if (argc < 2)
		return usage_error(NULL, "%s", "missing command (run, ps, view or why)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(main_usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("jobshim %s\n", SUP_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "ps") == 0)
		return ps_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "view") == 0)
		return view_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "why") == 0)
		return why_main(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return usage_error(NULL, "unrecognized option '%s'", argv[1]);
	return usage_error(NULL, "unknown command '%s'", argv[1]);
}
