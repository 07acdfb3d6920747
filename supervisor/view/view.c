/* view.c — `jobshim view`: one self-contained HTML page drawing a trace on a time axis. */
#include "view.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tjson.h"
#include "view_page.h" /* generated: view_html, view_css, view_js (scripts/embed.sh) */

/*
 * The page's sources are readable files in supervisor/view/ built into the
 * binary, so that `jobshim view` needs nothing installed beside it.  The
 * HTML has three markers: the CSS and the script go in verbatim, the trace
 * goes in as its own lines (the page parses them, one JSON object a line,
 * and reports the ones it cannot read).  Inside a <script> element only
 * "</script" and "<!--" could end or confuse it; both start with '<',
 * which JSON has only inside strings, where \u003c means the same.
 */

#define VIEW_EXIT_USAGE 125 /* as `jobshim run`: the tool itself failed */
#define VIEW_MARK_CSS "/*@CSS@*/"
#define VIEW_MARK_JS "/*@JS@*/"
#define VIEW_MARK_TRACE "@TRACE@"
#define VIEW_MARK_SOURCE "@SOURCE@"

static const char view_usage[] =
	"Usage: jobshim view TRACE [-o FILE]\n"
	"Write a self-contained HTML page (no network needed) that draws the\n"
	"JSON Lines trace TRACE (from 'jobshim run --trace TRACE') on a time axis:\n"
	"a lane per process, grouped by session and process group, forks, execs,\n"
	"exits, signals as arrows and orphaned groups highlighted.\n"
	"\n"
	"  -o, --output FILE  write the page to FILE (default: standard output)\n"
	"      --help         display this help and exit\n";

/* Copy a trace line into the page, '<' made harmless (see above). */
static void put_safe(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '<')
			fputs("\\u003c", out);
		else
			fputc(s[i], out);
	}
}

/* The trace's name for the title, as a JSON string in a script element. */
static void put_source(FILE *out, const char *name)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == '<' || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* What the trace held: lines that are events, lines that are not (the
 * page skips those too), and the first of them. */
struct trace_count {
	unsigned events, bad, first_bad;
};

static int put_trace(FILE *out, FILE *in, struct trace_count *tc)
{
	struct tjson j = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;

	while ((n = getline(&line, &cap, in)) > 0) {
		lineno++;
		if (tjson_parse(&j, line, (size_t)n) == 0 && tjson_str(&j, "ev") != NULL) {
			tc->events++;
		} else if (!(n == 1 && line[0] == '\n')) {
			if (tc->bad++ == 0)
				tc->first_bad = lineno;
		}
		put_safe(out, line, (size_t)n);
	}
	free(line);
	tjson_free(&j);
	return ferror(in) ? -EIO : 0;
}

/* The template up to each marker, then what the marker stands for. */
static int put_page(FILE *out, FILE *in, const char *source, struct trace_count *tc)
{
	static const char *const marks[] = {VIEW_MARK_CSS, VIEW_MARK_JS, VIEW_MARK_TRACE, VIEW_MARK_SOURCE};
	const char *p = view_html;
	int rc = 0;

	for (;;) {
		const char *next = NULL;
		size_t which = 0;

		for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
			const char *m = strstr(p, marks[k]);
			if (m && (!next || m < next)) {
				next = m;
				which = k;
			}
		}
		if (!next) {
			fputs(p, out);
			return rc;
		}
		fwrite(p, 1, (size_t)(next - p), out);
		p = next + strlen(marks[which]);
		switch (which) {
		case 0:
			fputs(view_css, out);
			break;
		case 1:
			fputs(view_js, out);
			break;
		case 2:
			fputc('\n', out);
			if (put_trace(out, in, tc) < 0)
				rc = -EIO;
			break;
		default:
			put_source(out, source);
			break;
		}
	}
}

int view_render(const char *trace, const char *out_path, const char *name)
{
	FILE *in = fopen(trace, "re"), *out;
	const char *base = strrchr(trace, '/');
	int rc, err;

	if (!in) {
		err = errno;
		fprintf(stderr, "jobshim: view: %s: %s\n", trace, strerror(err));
		return -err;
	}
	out = strcmp(out_path, "-") == 0 ? stdout : fopen(out_path, "we");
	if (!out) {
		err = errno;
		fprintf(stderr, "jobshim: view: %s: %s\n", out_path, strerror(err));
		fclose(in);
		return -err;
	}
	struct trace_count tc = {0};
	rc = put_page(out, in, name ? name : base ? base + 1 : trace, &tc);
	if (rc < 0)
		fprintf(stderr, "jobshim: view: %s: read error\n", trace);
	/* Said here as `jobshim why` says it: the page shows the same. */
	if (tc.bad > 0)
		fprintf(stderr, "jobshim: view: %s:%u: not a trace event (skipped)\n", trace,
			tc.first_bad);
	if (tc.bad > 1)
		fprintf(stderr, "jobshim: view: %s: %u lines skipped\n", trace, tc.bad);
	if (rc == 0 && tc.events == 0) {
		fprintf(stderr, "jobshim: view: %s: no trace events in it (a file of `jobshim run --trace`?)\n",
			trace);
		rc = -EINVAL;
	}
	fclose(in);
	if (fflush(out) != 0 || ferror(out)) {
		err = errno ? errno : EIO;
		fprintf(stderr, "jobshim: view: %s: %s\n", out_path, strerror(err));
		rc = -err;
	}
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		err = errno;
		fprintf(stderr, "jobshim: view: %s: %s\n", out_path, strerror(err));
		rc = -err;
	}
	return rc;
}

int view_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = "-";
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(view_usage, stdout);
			return 0;
		case ':':
			fprintf(stderr, "jobshim: view: option '%s' requires an argument\n", argv[optind - 1]);
			return VIEW_EXIT_USAGE;
		default:
			fprintf(stderr, "jobshim: view: unrecognized option '%s'\n", argv[optind - 1]);
			return VIEW_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "jobshim: view: %s\nTry 'jobshim view --help' for more information.\n",
			optind >= argc ? "missing TRACE" : "one TRACE only");
		return VIEW_EXIT_USAGE;
	}
	return view_render(argv[optind], out, NULL) < 0 ? 1 : 0;
}
