/*
 * unit.h - the smallest test harness: CHECK(condition) counts a pass or
 * prints the failed condition with its line; unit_report() ends the run
 * with the line "N passed, N failed" and the exit status (0: all passed).
 * Each test_*.c is one program over pure functions, run by `make unit`.
 */
#ifndef SOCKLAB_UNIT_H
#define SOCKLAB_UNIT_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

static int unit_passed, unit_failed;

/* Count one check; print it when it failed. */
static void
unit_check(int ok, const char *what, const char *file, int line)
{
	if (ok) {
		unit_passed++;
		return;
	}
	unit_failed++;
	printf("FAIL %s:%d: %s\n", file, line, what);
}

/* A macro only to name the condition and its line in the report. */
#define CHECK(cond) unit_check((cond) != 0, #cond, __FILE__, __LINE__)
/* Two strings are equal. */
#define CHECK_STR(a, b) unit_check(strcmp((a), (b)) == 0, #a " == " #b, \
	__FILE__, __LINE__)

/* The narrator's lines (usage errors the tests provoke) go nowhere. */
static void
unit_quiet(void)
{
	int fd = open("/dev/null", O_WRONLY);

	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

/* "N passed, N failed"; the exit status. */
static int
unit_report(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed != 0;
}

#endif
