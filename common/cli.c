/*
 * cli.c - what every tool's command line shares.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "trace.h"

/* Start-up for every tool: name the narrator, ignore SIGPIPE. */
void
cli_init(const char *argv0)
{
	trace_init(argv0);
	signal(SIGPIPE, SIG_IGN);
	/* getopt's own messages name the full path; cli_bad_option() says it
	 * in the narrator's format instead. */
	opterr = 0;
}

/* Print "tool (socklab) VERSION" and exit 0. */
void
cli_version(void)
{
	printf("%s (socklab) %s\n", trace_progname(), SOCKLAB_VERSION);
	exit(EX_OK);
}

/* Print "tool: message" and the --help pointer, exit 64. */
void
cli_usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	trace_error("%s (try '%s --help')", msg, trace_progname());
	exit(EX_USAGE);
}

/* After getopt returned '?': name the bad option in one line, exit 64. */
void
cli_bad_option(char *const argv[])
{
	char shortopt[3] = { '-', (char)optopt, '\0' };
	/* A short option is in optopt; a long one (whose optopt is its
	 * internal code, not a letter) is the word getopt just passed. */
	int is_short = optopt > ' ' && optopt < 127;
	const char *arg = is_short ? shortopt : argv[optind - 1];

	cli_usage_error("bad option '%s': unknown, or missing its value", arg);
}

/* Print "tool: message" and exit with code. */
void
die(int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	trace_error("%s", msg);
	exit(code);
}

/* Print "tool: message: strerror (ENAME)", a hint, and exit. */
void
die_errno(int err, int step, const char *where, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	trace_error("%s: %s (%s)", msg, strerror(err), trace_errno_name(err));
	trace_hint(err, step, where);
	exit(cli_exit_code(err, step));
}

/* The exit code for errno err met at step. */
int
cli_exit_code(int err, int step)
{
	switch (err) {
	case ETIMEDOUT:
		return EX_TEMPFAIL;
	case EACCES:
	case EPERM:
		return EX_NOPERM;
	case ECONNREFUSED:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case ENOENT:
		if (step == STEP_CONNECT)
			return EX_UNAVAILABLE;
		break;
	default:
		break;
	}
	if (step == STEP_SEND || step == STEP_RECV)
		return EX_IOERR;
	return EX_OSERR;
}

/* A port 1..65535 (0 too if allow_zero), or a usage error. */
unsigned
cli_port(const char *text, int allow_zero)
{
	unsigned port;

	if (addr_parse_port(text, allow_zero, &port) < 0)
		cli_usage_error("bad port '%s': must be a number from %d to "
		    "65535", text, allow_zero ? 0 : 1);
	return port;
}

/* A whole number in min..max, or a usage error. */
long
cli_number(const char *text, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (*text == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		cli_usage_error("bad %s '%s': must be a whole number from %ld "
		    "to %ld", what, text, min, max);
	return v;
}

/* Seconds (decimals allowed) as milliseconds, or a usage error. */
int
cli_seconds(const char *text, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (*text == '\0' || *end != '\0' || errno != 0 || !(v >= 0.001) ||
	    v > 86400)
		cli_usage_error("bad %s '%s': must be seconds from 0.001 to "
		    "86400", what, text);
	return (int)(v * 1000 + 0.5);
}
