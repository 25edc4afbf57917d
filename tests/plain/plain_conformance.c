// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The conformance bodies without Check: every case on every config, each
 * in a child process (an abort fails that one run, as Check's fork mode
 * does), results as TAP and a closing "N passed, N failed" line. For
 * machines where Check is not at hand, such as a cross-built binary run
 * under qemu-user on a big-endian architecture (scripts/cross-test).
 *
 *   plain_conformance [CASE-SUBSTRING...]
 *
 * With substrings, only the cases whose name contains one of them run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/cases.h"

static const struct {
	const struct it_case *cases;
	const unsigned int *n;
} lists[] = {
	IT_CASE_LISTS(IT_CASE_ENTRY)
};

static double plain_scale(void)
{
	const char *s = getenv("IOPGT_TEST_SCALE");
	double v = s ? strtod(s, NULL) : 1;

	return v > 0 ? v : 1;
}

/* Run one case on one config in a child; true if it passed. */
static bool plain_run(const struct it_case *c, unsigned int cfg, u64 seed)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (!pid) {
		struct it t = {
			.config = &it_configs[cfg],
			.seed = seed,
			.scale = plain_scale(),
		};

		c->fn(&t);
		if (t.failed)
			printf("# %s on %s: %s\n", c->name, t.config->name,
			       t.msg);
		fflush(stdout);
		_exit(t.failed ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		exit(2);
	}
	if (WIFSIGNALED(status))
		printf("# %s on %s: killed by signal %d\n", c->name,
		       it_configs[cfg].name, WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Whether @name is selected by the command line's substrings. */
static bool plain_selected(const char *name, int argc, char **argv)
{
	int a;

	for (a = 1; a < argc; a++)
		if (strstr(name, argv[a]))
			return true;
	return argc < 2;
}

int main(int argc, char **argv)
{
	unsigned int l, i, cfg, n = 0, passed = 0, failed = 0;
	u64 idx = 0;

	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		for (i = 0; i < *lists[l].n; i++) {
			const struct it_case *c = &lists[l].cases[i];

			for (cfg = 0; cfg < it_nconfigs; cfg++, idx++) {
				bool ok;

				if (!plain_selected(c->name, argc, argv))
					continue;
				/* the seeds Check's runner uses */
				ok = plain_run(c, cfg, 0x10b9700 + idx);
				printf("%s %u - %s on %s\n", ok ? "ok" : "not ok",
				       ++n, c->name, it_configs[cfg].name);
				if (ok)
					passed++;
				else
					failed++;
			}
		}
	}
	printf("1..%u\n%u passed, %u failed\n", n, passed, failed);
	return failed ? 1 : 0;
}
