/*
 * cli_help.c - --help, written from the tool's option table (cli.h):
 * the synopsis, one line per option, the notes, the steps, the lessons
 * and the exit codes, in that order, the same on every tool.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "trace.h"

/* Lines are kept within this many columns. */
#define HELP_WIDTH 79
/* Where an option's help text starts. */
#define HELP_COLUMN 22

/* The exit codes every tool shares, as every --help ends. */
static const char exit_codes[] =
    "exit status: 0 ok, 64 usage error, 68 unknown host,\n"
    "  69 connection refused or unreachable, 71 other system error,\n"
    "  73 cannot create the --trace file, 74 I/O error during transfer,\n"
    "  75 timeout, 77 permission denied,\n"
    "  130 or 143 stopped by SIGINT or SIGTERM\n";

/* Add word to the synopsis line, wrapping under the first word. */
static void
synopsis_word(const char *word, size_t indent, size_t *col)
{
	size_t len = strlen(word);

	if (*col + 1 + len > HELP_WIDTH) {
		printf("\n%*s", (int)indent, "");
		*col = indent;
	} else {
		putchar(' ');
		(*col)++;
	}
	fputs(word, stdout);
	*col += len;
}

/* "usage: tool [-46hkqv] [-b ADDR] [--backlog N] ... PORT" */
static void
print_synopsis(const struct cli_tool *tool)
{
	const struct cli_option *o;
	char flags[80], word[96];
	size_t n = 0, col, indent;

	n += (size_t)snprintf(flags, sizeof(flags), "[-%s",
	    tool->shared & CLI_FAMILY ? "46" : "");
	for (o = tool->options; o->letter || o->name; o++)
		if (o->letter && (o->type == CLI_FLAG || o->type == CLI_SET) &&
		    n + 2 < sizeof(flags))
			flags[n++] = (char)o->letter;
	snprintf(flags + n, sizeof(flags) - n, "hqv]");
	col = (size_t)printf("usage: %s", trace_progname());
	indent = col + 1;
	synopsis_word(flags, indent, &col);
	for (o = tool->options; o->letter || o->name; o++) {
		int takes = o->type != CLI_FLAG && o->type != CLI_SET;

		if (o->letter && !takes)
			continue;	/* already in the [-...] group */
		if (o->letter)
			snprintf(word, sizeof(word), "[-%c %s]", o->letter,
			    o->arg ? o->arg : "ARG");
		else
			snprintf(word, sizeof(word), "[--%s%s%s]", o->name,
			    takes ? " " : "", takes ? (o->arg ? o->arg : "ARG") :
			    "");
		synopsis_word(word, indent, &col);
	}
	if (tool->args != NULL && tool->args[0] != '\0')
		synopsis_word(tool->args, indent, &col);
	putchar('\n');
}

/* One option's line: "  -k, --keep          help", continuations below. */
static void
print_option(const char *left, const char *help)
{
	const char *p = help, *nl;
	int first = 1;

	printf("  %s", left);
	if (strlen(left) + 2 >= HELP_COLUMN) {
		putchar('\n');
		first = 0;
	}
	do {
		nl = strchr(p, '\n');
		printf("%*s%.*s\n", first ? HELP_COLUMN - 2 - (int)strlen(left) :
		    HELP_COLUMN, "", nl ? (int)(nl - p) : (int)strlen(p), p);
		first = 0;
		p = nl ? nl + 1 : NULL;
	} while (p != NULL);
}

/* The option table, then the shared flags. */
static void
print_options(const struct cli_tool *tool)
{
	const struct cli_option *o;
	char left[96];

	if (tool->shared & CLI_FAMILY)
		print_option("-4, -6", "IPv4 only / IPv6 only");
	for (o = tool->options; o->letter || o->name; o++) {
		int takes = o->type != CLI_FLAG && o->type != CLI_SET;
		const char *arg = takes ? (o->arg ? o->arg : "ARG") : "";

		if (o->letter && o->name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->letter,
			    o->name, takes ? " " : "", arg);
		else if (o->letter)
			snprintf(left, sizeof(left), "-%c%s%s", o->letter,
			    takes ? " " : "", arg);
		else
			snprintf(left, sizeof(left), "--%s%s%s", o->name,
			    takes ? " " : "", arg);
		print_option(left, o->help ? o->help : "");
	}
	print_option("-q, --quiet", "errors only");
	print_option("-v, --verbose", "every step, one line each; -vv: "
	    "and the payloads");
	print_option("--step", "stop before each step until Enter on the "
	    "terminal (c +\nEnter: run on), show each socket's kernel state "
	    "after\nit; shows every step, as -v does");
	print_option("--trace FILE", "one JSON line per event into FILE "
	    "(SOCKLAB_TRACE=FILE\nin the environment: appended to)");
	print_option("-h, --help", "this text");
	print_option("--version", "the version");
}

/* Print --help for tool to stdout. */
void
cli_help(const struct cli_tool *tool)
{
	print_synopsis(tool);
	if (tool->about != NULL)
		printf("\n%s\n", tool->about);
	putchar('\n');
	print_options(tool);
	if (tool->notes != NULL)
		printf("\n%s\n", tool->notes);
	printf("\nsteps: %s\n", tool->steps ? tool->steps : "");
	printf("lessons: %s\n", tool->lessons ? tool->lessons :
	    "lessons/README.md");
	fputs(exit_codes, stdout);
	if (tool->exits != NULL)
		printf("  here: %s\n", tool->exits);
}
