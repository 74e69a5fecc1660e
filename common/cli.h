/*
 * cli.h - every tool's command line, declared once.
 *
 * A tool describes its options in one table (struct cli_option): letter,
 * long name, argument, range and help line. From that table cli_parse()
 * builds the getopt_long table, checks every number against its range,
 * and prints --help (synopsis, options, steps, lessons, exit codes); the
 * flags all tools share (-4 -6 -q -v -vv -h --help --version --step
 * --trace) are added here, once. A tool's own parse function then only checks what goes
 * together:
 *
 *   static const struct cli_option options[] = {
 *	{ .letter = 'k', .name = "keep", .type = CLI_FLAG,
 *	  .field = offsetof(struct options, keep),
 *	  .help = "serve client after client until killed" },
 *	...
 *	{ 0 }
 *   };
 *
 * Exit codes come from <sysexits.h> (see README.md, "Exit codes"):
 *   0 ok, 64 usage, 68 unknown host, 69 refused or unreachable,
 *   71 other OS error, 73 cannot create the --trace file, 74 I/O error
 *   during transfer, 75 timeout, 77 permission denied; 130 and 143:
 *   stopped by SIGINT or SIGTERM.
 */
#ifndef SOCKLAB_CLI_H
#define SOCKLAB_CLI_H

#include <stddef.h>
#include <sysexits.h>

#ifndef SOCKLAB_VERSION
#define SOCKLAB_VERSION "unknown"
#endif

/* What an option takes, and how it is stored at .field in the options. */
enum cli_type {
	CLI_FLAG,	/* no argument: the int becomes 1 */
	CLI_SET,	/* no argument: the int becomes .value */
	CLI_INT,	/* a whole number in min..max: an int */
	CLI_LONG,	/* a whole number in min..max: a long long */
	CLI_MS,		/* seconds, decimals allowed, min..max in ms: an int of ms */
	CLI_PORT,	/* a port 0..65535 (min 1 refuses 0): the text, a const char * */
	CLI_TEXT,	/* any text: a const char * */
	CLI_CHOICE,	/* one of .choices: its index, an int */
	CLI_CALL	/* .parse(text, options) stores it: 0, or -1 after saying why */
};

struct cli_option {
	int letter;		/* 'k' for -k, or 0 for a long option only */
	const char *name;	/* "keep" for --keep, or NULL for -k only */
	enum cli_type type;
	size_t field;		/* offsetof(struct options, the field) */
	const char *arg;	/* the argument as --help names it: "N", "SECS" */
	long long min, max;	/* CLI_INT, CLI_LONG, CLI_MS, CLI_PORT: the range */
	int value;		/* CLI_SET: the value stored */
	const char *const *choices;	/* CLI_CHOICE: the words, NULL-ended */
	int (*parse)(const char *text, void *options);	/* CLI_CALL */
	const char *what;	/* in errors, "bad WHAT 'x'" (default: the name) */
	const char *help;	/* --help's line; '\n' starts a continuation */
};

/* Which shared flags a tool takes besides -q -v -h --help --version. */
enum {
	CLI_FAMILY = 1		/* -4 / -6: IPv4 only / IPv6 only */
};

/* A tool's command line, as --help tells it. */
struct cli_tool {
	const char *args;	/* the operands, "HOST PORT"; "[ROOT]" optional */
	int min_args, max_args;	/* how many operands it takes */
	const char *about;	/* what the tool does: a paragraph */
	const struct cli_option *options;	/* ended by { 0 } */
	unsigned shared;	/* CLI_FAMILY, or 0 */
	const char *notes;	/* printed after the options, or NULL */
	const char *steps;	/* "1 socket, 2 setsockopt, ..." */
	const char *lessons;	/* "lessons/05-accept.md ..." */
	const char *exits;	/* exit codes peculiar to the tool, or NULL */
};

/* What the shared flags set. */
struct cli_common {
	int family;		/* -4 AF_INET, -6 AF_INET6, else AF_UNSPEC */
	int verbosity;		/* -q 0, default 1, -v 2, -vv 3 (trace.h) */
	int step;		/* --step: pause before each step (stepper.h) */
	const char *trace;	/* --trace FILE (jtrace.h), or NULL */
};

/* cli_parse(): go on and run (anything else is an exit status). */
#define CLI_RUN (-1)

/* Start-up for every tool: name the narrator, make sure descriptors 0, 1
 * and 2 are open (a closed one is opened on /dev/null, unusable for its
 * purpose: stdin reads end at once, stdout writes fail with EBADF), so no
 * socket can ever take their place, and ignore SIGPIPE (a send to a
 * closed peer fails with EPIPE instead of killing the process). */
void cli_init(const char *argv0);

/* Parse argv by tool's table into options (and the shared flags into
 * common); the operands are argv[*first .. argc-1]. Starts --step (it
 * needs a terminal) and --trace FILE, or $SOCKLAB_TRACE. Returns CLI_RUN,
 * or the status to exit with: 0 after --help or --version, 64 after a
 * usage error (--step without a terminal too), 73 if the trace file
 * cannot be opened, already told in one line. */
int cli_parse(const struct cli_tool *tool, int argc, char *argv[],
    void *options, struct cli_common *common, int *first);

/* Print --help for tool to stdout. */
void cli_help(const struct cli_tool *tool);

/* Say "tool: message (try 'tool --help')" on stderr; returns 64. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "tool: message: strerror (ENAME)" and a hint for err met at
 * step (about where: an address or path, or NULL); returns the exit code
 * that deserves, cli_exit_code(), for the top level to return. */
int cli_error(int err, int step, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Print "tool: message" and exit with code (for a tool's main() only). */
void die(int code, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/* As cli_error(), then exit with its code (for a tool's main() only). */
void die_errno(int err, int step, const char *where, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

/* The exit code for errno err met at step (a transfer step gives 74). */
int cli_exit_code(int err, int step);

/* Read text as option o's number (CLI_INT, CLI_LONG, CLI_MS: ms;
 * CLI_PORT: the port) within its range into *value. 0, or -1 after saying
 * why in one line ("bad backlog 'x': must be ..."). Used by cli_parse(),
 * CLI_CALL parsers and the unit tests. */
int cli_value(const struct cli_option *o, const char *text, long long *value);

/* An operand that must be a port 1..65535 (0 too if allow_zero):
 * 0, or 64 after saying "bad port 'text': ..." in one line. */
int cli_check_port(const char *text, int allow_zero);

/* Catch SIGINT and SIGTERM: blocking steps then give up with EINTR and
 * step_stop holds the signal's number (step.h), so the tool can clean up
 * and then call cli_exit_stopped(). */
void cli_catch_stop(void);
/* After cleaning up for a caught SIGINT/SIGTERM: die of that signal, so
 * the parent sees what killed us (a shell prints 130 or 143). */
void cli_exit_stopped(void) __attribute__((noreturn));

/* Flush stdout; on failure (a full disk, a closed pipe) say so in one
 * line and return 74, else 0. Call before exiting after writing data. */
int cli_flush_stdout(void);

#endif
