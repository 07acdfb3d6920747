/* view.h — the trace readers: `jobshim view` (an HTML timeline) and `jobshim why`. */
#ifndef JOBSHIM_VIEW_H
#define JOBSHIM_VIEW_H

/* `jobshim view TRACE [-o OUT]`; returns the exit status. */
int view_main(int argc, char **argv);
/* Write the timeline page of the JSON Lines trace at `trace` to `out`
 * ("-": stdout), titled `name` (NULL: the trace's file name); 0, or -errno
 * with the reason printed on stderr. */
int view_render(const char *trace, const char *out, const char *name);
/* `jobshim why VPID TRACE`; returns the exit status. */
int why_main(int argc, char **argv);

#endif
