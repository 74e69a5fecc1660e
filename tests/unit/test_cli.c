/*
 * test_cli.c - the declared command line (common/cli.c): numbers and
 * their ranges, seconds, ports, choices, flags and operands.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "cli.h"
#include "trace.h"
#include "unit.h"

struct opts {
	struct cli_common cli;
	int flag, set, n, ms, choice;
	long long big;
	const char *text, *port;
};

static const char *const colours[] = { "red", "green", "blue", NULL };

static const struct cli_option table[] = {
	{ .letter = 'f', .name = "flag", .type = CLI_FLAG,
	  .field = offsetof(struct opts, flag), .help = "a flag" },
	{ .name = "no-set", .type = CLI_SET, .value = 7,
	  .field = offsetof(struct opts, set), .help = "sets 7" },
	{ .letter = 'n', .type = CLI_INT, .min = -5, .max = 100,
	  .field = offsetof(struct opts, n), .arg = "N", .help = "int" },
	{ .name = "big", .type = CLI_LONG, .min = 0, .max = LLONG_MAX,
	  .field = offsetof(struct opts, big), .arg = "N", .help = "big" },
	{ .letter = 'w', .type = CLI_MS, .min = 1, .max = 86400000,
	  .field = offsetof(struct opts, ms), .arg = "SECS", .help = "ms" },
	{ .name = "colour", .type = CLI_CHOICE, .choices = colours,
	  .field = offsetof(struct opts, choice), .arg = "C", .help = "c" },
	{ .letter = 't', .type = CLI_TEXT, .field = offsetof(struct opts, text),
	  .arg = "T", .help = "text" },
	{ .letter = 'p', .type = CLI_PORT, .min = 0,
	  .field = offsetof(struct opts, port), .arg = "PORT", .help = "port" },
	{ 0 }
};

static const struct cli_tool tool = {
	.args = "HOST PORT", .min_args = 2, .max_args = 2,
	.options = table, .shared = CLI_FAMILY, .steps = "none",
};

/* Parse a NULL-ended argument list; the result of cli_parse. */
static int
parse(struct opts *o, int *first, const char *a0, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	const char *a;

	memset(o, 0, sizeof(*o));
	argv[argc++] = (char *)"unit";
	va_start(ap, a0);
	for (a = a0; a != NULL && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	optind = 0;	/* glibc and musl: start afresh */
	return cli_parse(&tool, argc, argv, o, &o->cli, first);
}

/* Numbers: ranges, overflow, signs, junk. */
static void
test_values(void)
{
	struct cli_option n = { .type = CLI_INT, .min = 1, .max = 65535,
	    .what = "backlog" };
	struct cli_option ms = { .type = CLI_MS, .min = 1, .max = 86400000 };
	struct cli_option big = { .type = CLI_LONG, .min = 0,
	    .max = LLONG_MAX };
	struct cli_option port0 = { .type = CLI_PORT, .min = 0 };
	long long v;

	CHECK(cli_value(&n, "1", &v) == 0 && v == 1);
	CHECK(cli_value(&n, "65535", &v) == 0 && v == 65535);
	CHECK(cli_value(&n, "0", &v) < 0);
	CHECK(cli_value(&n, "65536", &v) < 0);
	CHECK(cli_value(&n, "", &v) < 0);
	CHECK(cli_value(&n, "12x", &v) < 0);
	CHECK(cli_value(&n, " 12", &v) < 0 || v == 12);
	CHECK(cli_value(&n, "-1", &v) < 0);
	CHECK(cli_value(&big, "9223372036854775807", &v) == 0 &&
	    v == LLONG_MAX);
	CHECK(cli_value(&big, "9223372036854775808", &v) < 0);
	CHECK(cli_value(&big, "99999999999999999999999", &v) < 0);
	CHECK(cli_value(&ms, "1", &v) == 0 && v == 1000);
	CHECK(cli_value(&ms, "0.001", &v) == 0 && v == 1);
	CHECK(cli_value(&ms, "2.5", &v) == 0 && v == 2500);
	CHECK(cli_value(&ms, "0", &v) < 0);
	CHECK(cli_value(&ms, "0.0001", &v) < 0);
	CHECK(cli_value(&ms, "86400", &v) == 0 && v == 86400000);
	CHECK(cli_value(&ms, "86401", &v) < 0);
	CHECK(cli_value(&ms, "1e300", &v) < 0);
	CHECK(cli_value(&ms, "nan", &v) < 0);
	CHECK(cli_value(&ms, "inf", &v) < 0);
	CHECK(cli_value(&ms, "soon", &v) < 0);
	CHECK(cli_value(&port0, "0", &v) == 0 && v == 0);
	CHECK(cli_value(&port0, "65535", &v) == 0 && v == 65535);
	CHECK(cli_value(&port0, "65536", &v) < 0);
	CHECK(cli_value(&port0, "000000", &v) < 0);
	CHECK(cli_check_port("0", 0) == EX_USAGE);
	CHECK(cli_check_port("0", 1) == 0);
	CHECK(cli_check_port("7000", 0) == 0);
	CHECK(cli_check_port("-1", 1) == EX_USAGE);
}

/* Parsing: each type stores what it should; errors are usage errors. */
static void
test_parse(void)
{
	struct opts o;
	int first = -1;

	CHECK(parse(&o, &first, "h", "7", NULL) == CLI_RUN && first == 1);
	CHECK(o.cli.family == AF_UNSPEC && o.cli.verbosity == 1);
	CHECK(parse(&o, &first, "-f", "--no-set", "-n", "-5", "--big",
	    "123456789012", "-w", "0.25", "--colour", "blue", "-t", "x",
	    "-p", "0", "-6", "-vv", "h", "7", NULL) == CLI_RUN);
	CHECK(o.flag == 1 && o.set == 7 && o.n == -5 && o.big == 123456789012LL);
	CHECK(o.ms == 250 && o.choice == 2 && strcmp(o.text, "x") == 0);
	CHECK(strcmp(o.port, "0") == 0 && o.cli.family == AF_INET6);
	CHECK(o.cli.verbosity == 3);
	CHECK(parse(&o, &first, "-q", "h", "7", NULL) == CLI_RUN &&
	    o.cli.verbosity == 0);
	/* Options may follow the operands (GNU getopt permutes). */
	CHECK(parse(&o, &first, "h", "7", "-f", NULL) == CLI_RUN && o.flag);
	CHECK(parse(&o, &first, "-n", "101", "h", "7", NULL) == EX_USAGE);
	CHECK(parse(&o, &first, "--colour", "pink", "h", "7", NULL) ==
	    EX_USAGE);
	CHECK(parse(&o, &first, "-p", "70000", "h", "7", NULL) == EX_USAGE);
	CHECK(parse(&o, &first, "--nope", "h", "7", NULL) == EX_USAGE);
	CHECK(parse(&o, &first, "-n", NULL) == EX_USAGE);
	CHECK(parse(&o, &first, "h", NULL) == EX_USAGE);
	CHECK(parse(&o, &first, "h", "7", "8", NULL) == EX_USAGE);
}

/* --help and --version exit 0 at once (their text goes nowhere here). */
static void
test_help(void)
{
	struct opts o;
	int first, saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);

	fflush(stdout);
	dup2(null, STDOUT_FILENO);
	CHECK(parse(&o, &first, "--version", NULL) == 0);
	CHECK(parse(&o, &first, "--help", NULL) == 0);
	CHECK(parse(&o, &first, "-h", "--nope", NULL) == 0);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(null);
}

int
main(void)
{
	trace_init("unit");
	unit_quiet();
	test_values();
	test_parse();
	test_help();
	return unit_report("test_cli");
}
