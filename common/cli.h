/*
 * cli.h - what every tool's command line shares: exit codes, fatal errors,
 * number parsing, --version, and the start-up every tool does.
 *
 * Exit codes come from <sysexits.h> (see README.md, "Exit codes"):
 *   0 ok, 64 usage, 68 unknown host, 69 refused or unreachable,
 *   71 other OS error, 74 I/O error during transfer, 75 timeout,
 *   77 permission denied.
 */
#ifndef SOCKLAB_CLI_H
#define SOCKLAB_CLI_H

#include <sysexits.h>

#ifndef SOCKLAB_VERSION
#define SOCKLAB_VERSION "unknown"
#endif

/* The exit-code table, as printed at the end of every --help. */
#define CLI_EXIT_CODES \
	"exit status: 0 ok, 64 usage error, 68 unknown host,\n" \
	"  69 connection refused or unreachable, 71 other system error,\n" \
	"  74 I/O error during transfer, 75 timeout, 77 permission denied\n"

/* Start-up for every tool: name the narrator, ignore SIGPIPE (a send to a
 * closed peer then fails with EPIPE instead of killing the process). */
void cli_init(const char *argv0);

/* Print "tool (socklab) VERSION" and exit 0. */
void cli_version(void) __attribute__((noreturn));

/* Print "tool: message" and the --help pointer, exit 64 (EX_USAGE). */
void cli_usage_error(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/* After getopt returned '?': name the bad option in one line, exit 64. */
void cli_bad_option(char *const argv[]) __attribute__((noreturn));

/* Print "tool: message" and exit with code. */
void die(int code, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/* Print "tool: message: strerror(err)", a hint for err met at step (about
 * where: an address or path), and exit with cli_exit_code(err, step). */
void die_errno(int err, int step, const char *where, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

/* The exit code for errno err met at step (a transfer step gives 74). */
int cli_exit_code(int err, int step);

/* A port 1..65535 (0 too if allow_zero), or a usage error naming text. */
unsigned cli_port(const char *text, int allow_zero);

/* A whole number in min..max, or a usage error naming what and text. */
long cli_number(const char *text, long min, long max, const char *what);

/* Seconds (decimals allowed, 0.001..86400) as milliseconds, or a usage
 * error naming what and text. */
int cli_seconds(const char *text, const char *what);

#endif
