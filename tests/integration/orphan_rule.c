/* orphan_rule.c — print who gets the orphaned-group rule's SIGHUP on this kernel: "hup-all", "hup-stopped" or "unknown".
 *
 * The supervisor's own probe (supervisor/kernrule.c), run natively: run.sh
 * uses it to pick the expected output of a test whose Linux truth depends
 * on the kernel (expected/NAME.hup-stopped.out beside expected/NAME.out). */
#include <stdio.h>

#include "../../supervisor/kernrule.h"

int main(void)
{
	int r = kernrule_probe_orphan_hup();

	puts(r == 1 ? "hup-all" : r == 0 ? "hup-stopped" : "unknown");
	return r < 0;
}
