/*
 * cli.c - every tool's command line: start-up and the declared options
 * (cli_parse), with usage errors. --help is written in cli_help.c from
 * the same table; exit codes and the way a tool stops are in cli_exit.c.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "jtrace.h"
#include "step.h"
#include "stepper.h"
#include "trace.h"

/* getopt_long's codes for the shared long-only flags. */
#define CLI_VERSION_CODE 1000
#define CLI_STEP_CODE 1001
#define CLI_TRACE_CODE 1002
/* getopt_long's code for tool option i when it has no letter. */
#define CLI_LONG_CODE 2000
/* Options a tool may declare; generous, checked below. */
#define CLI_MAX_OPTIONS 64

/* Make sure fd is open: on /dev/null if it was closed. stdin then reads
 * as empty; stdout is opened read-only, so writing to it fails (EBADF)
 * and the tool says "stdout is closed" rather than lose data unseen. */
static void
open_standard_fd(int fd)
{
	int got;

	if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
		return;
	got = open("/dev/null", fd == STDERR_FILENO ? O_WRONLY : O_RDONLY);
	if (got >= 0 && got != fd) {
		/* A lower descriptor was missing too, and took this one. */
		dup2(got, fd);
		close(got);
	}
}

/* Start-up for every tool: the narrator, descriptors 0-2, SIGPIPE. */
void
cli_init(const char *argv0)
{
	open_standard_fd(STDIN_FILENO);
	open_standard_fd(STDOUT_FILENO);
	open_standard_fd(STDERR_FILENO);
	trace_init(argv0);
	signal(SIGPIPE, SIG_IGN);
	/* Ctrl-C and kill stop every tool, even one started in the
	 * background by a script (which would inherit SIGINT ignored): the
	 * shell then sees 130 or 143, as the README promises. Tools that
	 * must clean up first catch them instead (cli_catch_stop). */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* getopt's own messages name the full path; cli_parse() says it in
	 * the narrator's format instead. */
	opterr = 0;
}

/* Say "tool: message (try 'tool --help')"; returns 64. */
int
cli_usage(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	trace_error("%s (try '%s --help')", msg, trace_progname());
	return EX_USAGE;
}

/* The word for option o in error messages. */
static const char *
option_what(const struct cli_option *o)
{
	static char letter[3];

	if (o->what != NULL)
		return o->what;
	if (o->name != NULL)
		return o->name;
	letter[0] = '-';
	letter[1] = (char)o->letter;
	return letter;
}

/* Read text as a whole number in min..max; 0, or -1 (not told). */
static int
whole_number(const char *text, long long min, long long max, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(text, &end, 10);
	if (*text == '\0' || *end != '\0' || errno != 0 || *v < min ||
	    *v > max)
		return -1;
	return 0;
}

/* Read text as seconds (decimals allowed) into ms in min..max; 0 or -1. */
static int
seconds(const char *text, long long min, long long max, long long *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	/* Compare in ms before converting, so no huge value is cast. */
	if (*text == '\0' || *end != '\0' || errno != 0 ||
	    !(v * 1000 >= (double)min - 0.5) || !(v * 1000 <= (double)max))
		return -1;
	*ms = (long long)(v * 1000 + 0.5);
	return 0;
}

/* Read text as option o's number into *value; 0, or -1 after saying why. */
int
cli_value(const struct cli_option *o, const char *text, long long *value)
{
	unsigned port;

	switch (o->type) {
	case CLI_PORT:
		if (addr_parse_port(text, o->min == 0, &port) == 0) {
			*value = port;
			return 0;
		}
		cli_usage("bad port '%s': must be a number from %d to 65535",
		    text, o->min == 0 ? 0 : 1);
		return -1;
	case CLI_MS:
		if (seconds(text, o->min, o->max, value) == 0)
			return 0;
		cli_usage("bad %s '%s': must be seconds from %g to %g",
		    option_what(o), text, (double)o->min / 1000,
		    (double)o->max / 1000);
		return -1;
	default:
		if (whole_number(text, o->min, o->max, value) == 0)
			return 0;
		cli_usage("bad %s '%s': must be a whole number from %lld to "
		    "%lld", option_what(o), text, o->min, o->max);
		return -1;
	}
}

/* An operand that must be a port: 0, or 64 after saying why. */
int
cli_check_port(const char *text, int allow_zero)
{
	struct cli_option port = { .type = CLI_PORT, .min = !allow_zero };

	return cli_value(&port, text, &(long long){ 0 }) == 0 ? 0 : EX_USAGE;
}

/* The index of text among choices, or -1 after naming them all. */
static int
choose(const struct cli_option *o, const char *text)
{
	char list[256] = "";
	size_t used = 0;
	int i, n;

	for (n = 0; o->choices[n] != NULL; n++)
		if (strcmp(o->choices[n], text) == 0)
			return n;
	for (i = 0; i < n && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
		    "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ",
		    o->choices[i]);
	cli_usage("unknown %s '%s': choose %s", option_what(o), text, list);
	return -1;
}

/* Store option o, given with text (NULL for a flag), into options. */
static int
store(const struct cli_option *o, const char *text, void *options)
{
	char *at = (char *)options + o->field;
	long long v = 0;

	switch (o->type) {
	case CLI_FLAG:
	case CLI_SET:
		v = o->type == CLI_FLAG ? 1 : o->value;
		memcpy(at, &(int){ (int)v }, sizeof(int));
		return 0;
	case CLI_TEXT:
	case CLI_PORT:
		if (o->type == CLI_PORT && cli_value(o, text, &v) < 0)
			return -1;
		memcpy(at, &text, sizeof(text));
		return 0;
	case CLI_CHOICE:
		if ((v = choose(o, text)) < 0)
			return -1;
		memcpy(at, &(int){ (int)v }, sizeof(int));
		return 0;
	case CLI_CALL:
		return o->parse(text, options);
	case CLI_LONG:
		if (cli_value(o, text, &v) < 0)
			return -1;
		memcpy(at, &v, sizeof(v));
		return 0;
	default:	/* CLI_INT, CLI_MS: ranges are declared within int */
		if (cli_value(o, text, &v) < 0)
			return -1;
		memcpy(at, &(int){ (int)v }, sizeof(int));
		return 0;
	}
}

/* Build the getopt_long tables from the tool's options and the shared
 * flags; the number of tool options, or -1 if there are too many. */
static int
build_tables(const struct cli_tool *tool, struct option *longs, char *shorts)
{
	const struct cli_option *o;
	size_t s = 0;
	int n, l = 0;

	s += (size_t)sprintf(shorts + s, "hqv%s", tool->shared & CLI_FAMILY ?
	    "46" : "");
	longs[l++] = (struct option){ "help", no_argument, NULL, 'h' };
	longs[l++] = (struct option){ "quiet", no_argument, NULL, 'q' };
	longs[l++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	longs[l++] = (struct option){ "version", no_argument, NULL,
	    CLI_VERSION_CODE };
	longs[l++] = (struct option){ "step", no_argument, NULL,
	    CLI_STEP_CODE };
	longs[l++] = (struct option){ "trace", required_argument, NULL,
	    CLI_TRACE_CODE };
	for (n = 0, o = tool->options; o->letter || o->name; n++, o++) {
		int takes = o->type != CLI_FLAG && o->type != CLI_SET;

		if (n >= CLI_MAX_OPTIONS)
			return -1;
		if (o->letter) {
			shorts[s++] = (char)o->letter;
			if (takes)
				shorts[s++] = ':';
		}
		if (o->name)
			longs[l++] = (struct option){ o->name, takes ?
			    required_argument : no_argument, NULL,
			    o->letter ? o->letter : CLI_LONG_CODE + n };
	}
	shorts[s] = '\0';
	longs[l] = (struct option){ NULL, 0, NULL, 0 };
	return n;
}

/* The tool option getopt_long returned as c, or NULL. */
static const struct cli_option *
find_option(const struct cli_tool *tool, int n, int c)
{
	int i;

	if (c >= CLI_LONG_CODE && c < CLI_LONG_CODE + n)
		return &tool->options[c - CLI_LONG_CODE];
	for (i = 0; i < n; i++)
		if (tool->options[i].letter == c)
			return &tool->options[i];
	return NULL;
}

/* Name the option getopt_long could not take, in one line; 64. */
static int
bad_option(char *const argv[])
{
	char shortopt[3] = { '-', (char)optopt, '\0' };
	/* A short option is in optopt; a long one (whose optopt is its code,
	 * not a letter) is the word getopt just passed. */
	int is_short = optopt > ' ' && optopt < 127;

	return cli_usage("bad option '%s': unknown, or missing its value",
	    is_short ? shortopt : argv[optind - 1]);
}

/* The operand names of tool->args, joined for "missing HOST or PORT". */
static void
missing_list(const char *args, char *out, size_t size)
{
	size_t used = 0;
	const char *p = args;

	out[0] = '\0';
	while (*p != '\0' && used + 8 < size) {
		size_t len = strcspn(p, " ");

		used += (size_t)snprintf(out + used, size - used, "%s%.*s",
		    used ? " or " : "", (int)len, p);
		p += len;
		p += strspn(p, " ");
	}
}

/* Start --step and --trace (or $SOCKLAB_TRACE, appended to); CLI_RUN,
 * or the status to exit with after saying why in one line. */
static int
start_wire(struct cli_common *common)
{
	const char *path = common->trace ? common->trace :
	    getenv("SOCKLAB_TRACE");

	if (common->step && stepper_open() < 0)
		return cli_usage("--step needs a terminal to wait on, and "
		    "/dev/tty cannot be opened: %s (%s)", strerror(errno),
		    trace_errno_name(errno));
	/* Stepping shows every step's result, as -v does, unless -q. */
	if (common->step && common->verbosity == TRACE_STATUS)
		trace_set_level(common->verbosity = TRACE_STEPS);
	if (path != NULL && path[0] != '\0' &&
	    jtrace_open(path, common->trace == NULL) < 0) {
		trace_error("cannot create the trace file %s: %s (%s)", path,
		    strerror(errno), trace_errno_name(errno));
		return EX_CANTCREAT;
	}
	return CLI_RUN;
}

/* Parse argv by the tool's table; CLI_RUN, or the status to exit with. */
int
cli_parse(const struct cli_tool *tool, int argc, char *argv[], void *options,
    struct cli_common *common, int *first)
{
	struct option longs[CLI_MAX_OPTIONS + 8];
	char shorts[3 * CLI_MAX_OPTIONS + 16], names[128];
	const struct cli_option *o;
	int c, n;

	common->family = AF_UNSPEC;
	common->verbosity = TRACE_STATUS;
	common->step = 0;
	common->trace = NULL;
	if ((n = build_tables(tool, longs, shorts)) < 0)
		return cli_usage("internal error: too many options declared");
	/* Options and operands may come in any order (GNU getopt); a tool
	 * with subcommands passes argv + 1, the subcommand as argv[0]. */
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (c == 'h') {
			cli_help(tool);
			return EX_OK;
		}
		if (c == CLI_VERSION_CODE) {
			printf("%s (socklab) %s\n", trace_progname(),
			    SOCKLAB_VERSION);
			return cli_flush_stdout();
		}
		if (c == 'q' || c == 'v') {
			common->verbosity = c == 'q' ? TRACE_QUIET :
			    common->verbosity + 1;
			continue;
		}
		if (c == '4' || c == '6') {
			common->family = c == '4' ? AF_INET : AF_INET6;
			continue;
		}
		if (c == CLI_STEP_CODE || c == CLI_TRACE_CODE) {
			common->step |= c == CLI_STEP_CODE;
			common->trace = c == CLI_TRACE_CODE ? optarg :
			    common->trace;
			continue;
		}
		if ((o = find_option(tool, n, c)) == NULL)
			return bad_option(argv);
		if (store(o, optarg, options) < 0)
			return EX_USAGE;
	}
	if (argc - optind < tool->min_args) {
		missing_list(tool->args, names, sizeof(names));
		return cli_usage("missing %s", names);
	}
	if (argc - optind > tool->max_args)
		return cli_usage("too many arguments");
	*first = optind;
	trace_set_level(common->verbosity);
	return start_wire(common);
}
