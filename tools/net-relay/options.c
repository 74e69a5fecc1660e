/*
 * options.c - net-relay's command line, declared once (cli.h).
 *
 * The impairments apply to both directions, or to the one the last
 * --to-server / --to-client before them names (--both names both again):
 *
 *   net-relay --segment 1 --to-client --delay 100 7001 127.0.0.1 7000
 *
 * cuts both directions into 1-byte sends and delays only the replies.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "impair.h"
#include "relay.h"

#define OPT(field) offsetof(struct options, field)

/* Set by --to-server, --to-client, --both until an impairment follows. */
#define SCOPE_FRESH 4

static int parse_segment(const char *, void *);
static int parse_delay(const char *, void *);
static int parse_rate(const char *, void *);
static int parse_stall(const char *, void *);
static int parse_reset(const char *, void *);
static int parse_close(const char *, void *);
static int parse_loss(const char *, void *);
static int parse_duplicate(const char *, void *);
static int parse_reorder(const char *, void *);
static int parse_truncate(const char *, void *);

static const struct cli_option options[] = {
	{ .letter = 'u', .name = "udp", .type = CLI_FLAG, .field = OPT(udp),
	  .help = "relay UDP datagrams instead of TCP connections" },
	{ .letter = 'b', .type = CLI_TEXT, .field = OPT(bind_addr),
	  .arg = "ADDR", .help = "listen on this local address (default: all)" },
	{ .letter = 'c', .type = CLI_INT, .field = OPT(count), .arg = "N",
	  .min = 1, .max = 1000000000, .what = "connection count",
	  .help = "TCP: exit after N connections have come and gone" },
	{ .letter = 'w', .type = CLI_MS, .field = OPT(connect_ms),
	  .arg = "SECS", .min = 1, .max = 3600000, .what = "connect timeout",
	  .help = "TCP: give up connecting to the target after SECS (default 10)" },
	{ .name = "idle", .type = CLI_MS, .field = OPT(idle_ms), .arg = "SECS",
	  .min = 1, .max = 86400000, .what = "idle time",
	  .help = "UDP: forget a client silent for SECS (default 60)" },
	{ .name = "max-clients", .type = CLI_INT, .field = OPT(max_clients),
	  .arg = "N", .min = 1, .max = 100000,
	  .what = "maximum number of clients",
	  .help = "connections (or UDP clients) at once (default 1000)" },
	{ .name = "seed", .type = CLI_LONG, .field = OPT(seed), .arg = "N",
	  .min = 0, .max = 0x3fffffffffffffffLL,
	  .help = "seed every random choice: the same N, the same choices" },
	{ .name = "to-server", .type = CLI_SET, .field = OPT(scope),
	  .value = SCOPE_TO_SERVER | SCOPE_FRESH,
	  .help = "the impairments that follow: client -> target only" },
	{ .name = "to-client", .type = CLI_SET, .field = OPT(scope),
	  .value = SCOPE_TO_CLIENT | SCOPE_FRESH,
	  .help = "the impairments that follow: target -> client only" },
	{ .name = "both", .type = CLI_SET, .field = OPT(scope),
	  .value = SCOPE_BOTH | SCOPE_FRESH,
	  .help = "the impairments that follow: both ways (the default)" },
	{ .name = "segment", .type = CLI_CALL, .parse = parse_segment,
	  .arg = "N", .help = "TCP: send at most N bytes per send (TCP_NODELAY)" },
	{ .name = "delay", .type = CLI_CALL, .parse = parse_delay,
	  .arg = "MS[+-J]", .help = "hold each piece (or datagram) MS ms, give or take\n"
	  "up to J (MS\xc2\xb1J works too); order is kept" },
	{ .name = "rate", .type = CLI_CALL, .parse = parse_rate,
	  .arg = "BYTES/S", .help = "TCP: pass at most BYTES bytes per second" },
	{ .name = "stall-after", .type = CLI_CALL, .parse = parse_stall,
	  .arg = "BYTES SECS", .help = "TCP: after BYTES, pass nothing for SECS "
	  "(a slow peer)" },
	{ .name = "reset-after", .type = CLI_CALL, .parse = parse_reset,
	  .arg = "BYTES", .help = "TCP: after BYTES, reset both connections "
	  "(SO_LINGER 0)" },
	{ .name = "close-after", .type = CLI_CALL, .parse = parse_close,
	  .arg = "BYTES", .help = "TCP: after BYTES, close both connections" },
	{ .name = "loss", .type = CLI_CALL, .parse = parse_loss, .arg = "P%",
	  .help = "UDP: drop P percent of the datagrams" },
	{ .name = "duplicate", .type = CLI_CALL, .parse = parse_duplicate,
	  .arg = "P%", .help = "UDP: send P percent of the datagrams twice" },
	{ .name = "reorder", .type = CLI_CALL, .parse = parse_reorder,
	  .arg = "P%", .help = "UDP: hold P percent back behind the next one" },
	{ .name = "truncate", .type = CLI_CALL, .parse = parse_truncate,
	  .arg = "N", .help = "UDP: cut longer datagrams to N bytes" },
	{ 0 }
};

static const struct cli_tool tool = {
	.args = "LISTEN_PORT TARGET_HOST TARGET_PORT",
	.min_args = 3, .max_args = 3,
	.about = "Accept connections (or datagrams, -u) on LISTEN_PORT and relay "
	    "them to\nTARGET_HOST TARGET_PORT and back, impaired as asked: an "
	    "unreliable network\non loopback.",
	.options = options, .shared = CLI_FAMILY,
	.notes = "Impairments apply both ways, or the way the last --to-server "
	    "or --to-client\nbefore them says. A FIN is passed on as "
	    "shutdown(SHUT_WR) once every byte before\nit has gone. --seed "
	    "repeats a run's choices; without it the seed is printed.\nOn exit, "
	    "SIGINT or SIGTERM: one summary line per direction.",
	.steps = "1 socket, 2 setsockopt, 3 bind, 4 listen, 5 accept, 6 connect, "
	    "7 send, 8 recv,\n       9 close",
	.lessons = "lessons/08-recv.md, lessons/10-datagrams.md, "
	    "lessons/12-many-clients.md,\n         lessons/13-http.md",
};

/* The directions opt's current scope names, as a mask (bit = direction). */
static unsigned
scope_dirs(struct options *opt)
{
	int scope = opt->scope & ~SCOPE_FRESH;

	opt->scope = scope;	/* an impairment follows the flag now */
	return scope == SCOPE_TO_SERVER ? 1u << TO_SERVER :
	    scope == SCOPE_TO_CLIENT ? 1u << TO_CLIENT :
	    1u << TO_SERVER | 1u << TO_CLIENT;
}

/* Store impairment bit with values v and v2 in each direction in scope. */
static int
set_impair(void *o, unsigned bit, long long v, long long v2)
{
	struct options *opt = o;
	unsigned dirs = scope_dirs(opt);
	int d;

	for (d = 0; d < 2; d++) {
		struct impair *imp = &opt->imp[d];

		if (!(dirs & (1u << d)))
			continue;
		imp->given |= bit;
		switch (bit) {
		case IMP_SEGMENT: imp->segment = (int)v; break;
		case IMP_DELAY: imp->delay_ms = (int)v; imp->jitter_ms = (int)v2;
			break;
		case IMP_RATE: imp->rate = v; break;
		case IMP_STALL: imp->stall_after = v; imp->stall_ms = (int)v2;
			break;
		case IMP_RESET: imp->reset_after = v; break;
		case IMP_CLOSE: imp->close_after = v; break;
		case IMP_LOSS: imp->loss = (long)v; break;
		case IMP_DUPLICATE: imp->duplicate = (long)v; break;
		case IMP_REORDER: imp->reorder = (long)v; break;
		default: imp->truncate = (int)v; break;
		}
	}
	return 0;
}

/* A whole number from min to max named what, stored as impairment bit. */
static int
set_number(void *o, const char *text, unsigned bit, long long min,
    long long max, const char *what)
{
	struct cli_option number = { .type = CLI_LONG, .min = min, .max = max,
	    .what = what };
	long long v;

	if (cli_value(&number, text, &v) < 0)
		return -1;
	return set_impair(o, bit, v, 0);
}

/* A percentage named what, stored as impairment bit. */
static int
set_percent(void *o, const char *text, unsigned bit, const char *what)
{
	long ppm;

	if (impair_parse_percent(text, &ppm) < 0) {
		cli_usage("bad %s '%s': must be a percentage from 0 to 100%% "
		    "(at most 4 decimals)", what, text);
		return -1;
	}
	return set_impair(o, bit, ppm, 0);
}

static int
parse_segment(const char *text, void *o)
{
	return set_number(o, text, IMP_SEGMENT, 1, 65536, "segment size");
}

static int
parse_delay(const char *text, void *o)
{
	int ms, jitter;

	if (impair_parse_delay(text, &ms, &jitter) < 0) {
		cli_usage("bad delay '%s': must be MS or MS\xc2\xb1JITTER (or "
		    "MS+-JITTER), whole milliseconds from 0 to %d", text,
		    IMPAIR_MAX_MS);
		return -1;
	}
	return set_impair(o, IMP_DELAY, ms, jitter);
}

static int
parse_rate(const char *text, void *o)
{
	return set_number(o, text, IMP_RATE, 1, 1000000000000LL, "rate");
}

static int
parse_stall(const char *text, void *o)
{
	long long bytes;
	int ms;

	if (impair_parse_stall(text, &bytes, &ms) < 0) {
		cli_usage("bad stall '%s': must be BYTES SECS (two words, e.g. "
		    "--stall-after 1000 5), SECS from 0.001 to %d", text,
		    IMPAIR_MAX_MS / 1000);
		return -1;
	}
	return set_impair(o, IMP_STALL, bytes, ms);
}

static int
parse_reset(const char *text, void *o)
{
	return set_number(o, text, IMP_RESET, 0, 1LL << 62,
	    "reset byte count");
}

static int
parse_close(const char *text, void *o)
{
	return set_number(o, text, IMP_CLOSE, 0, 1LL << 62,
	    "close byte count");
}

static int
parse_loss(const char *text, void *o)
{
	return set_percent(o, text, IMP_LOSS, "loss");
}

static int
parse_duplicate(const char *text, void *o)
{
	return set_percent(o, text, IMP_DUPLICATE, "duplicate rate");
}

static int
parse_reorder(const char *text, void *o)
{
	return set_percent(o, text, IMP_REORDER, "reorder rate");
}

static int
parse_truncate(const char *text, void *o)
{
	return set_number(o, text, IMP_TRUNCATE, 0, 65535,
	    "truncate length");
}

/* argv with "--stall-after BYTES SECS" joined into "--stall-after" and
 * "BYTES SECS", so getopt sees one argument; NULL (ENOMEM) if out of
 * memory. Kept until exit, like argv itself. */
static char **
join_stall(int argc, char *argv[], int *newc)
{
	static char **out;	/* reachable until exit, as argv is */

	out = calloc((size_t)argc + 1, sizeof(*out));
	int i, n = 0, options_end = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < argc; i++) {
		out[n++] = argv[i];
		if (strcmp(argv[i], "--") == 0)
			options_end = 1;
		if (options_end || strcmp(argv[i], "--stall-after") != 0 ||
		    i + 2 >= argc)
			continue;
		if ((out[n] = malloc(strlen(argv[i + 1]) +
		    strlen(argv[i + 2]) + 2)) == NULL)
			return NULL;
		sprintf(out[n++], "%s %s", argv[i + 1], argv[i + 2]);
		i += 2;
	}
	out[n] = NULL;
	*newc = n;
	return out;
}

/* The first option of mask that imp was given, as "--name". */
static const char *
first_given(unsigned given, unsigned mask)
{
	static const char *const names[] = { "--segment", "--delay", "--rate",
	    "--stall-after", "--reset-after", "--close-after", "--loss",
	    "--duplicate", "--reorder", "--truncate" };
	int i;

	for (i = 0; i < 10; i++)
		if (given & mask & (1u << i))
			return names[i];
	return "?";
}

/* Fill opt from the command line: CLI_RUN, or the status to exit with. */
int
parse_options(int argc, char *argv[], struct options *opt)
{
	unsigned given;
	char **args;
	int first, rc, d, n;

	memset(opt, 0, sizeof(*opt));
	for (d = 0; d < 2; d++) {
		opt->imp[d].stall_after = opt->imp[d].reset_after = -1;
		opt->imp[d].close_after = -1;
		opt->imp[d].truncate = -1;
	}
	opt->seed = -1;
	opt->connect_ms = 10000;
	opt->idle_ms = 60000;
	opt->max_clients = 1000;
	if ((args = join_stall(argc, argv, &n)) == NULL)
		return cli_error(ENOMEM, 0, NULL, "cannot read the command line");
	if ((rc = cli_parse(&tool, n, args, opt, &opt->cli, &first)) != CLI_RUN)
		return rc;
	opt->listen_port = args[first];
	opt->target_host = args[first + 1];
	opt->target_port = args[first + 2];
	if (cli_check_port(opt->listen_port, 1) != 0 ||
	    cli_check_port(opt->target_port, 0) != 0)
		return EX_USAGE;
	if (opt->scope & SCOPE_FRESH)
		return cli_usage("--to-server, --to-client and --both come before "
		    "the impairments they apply to");
	given = opt->imp[0].given | opt->imp[1].given;
	if (opt->udp && (given & IMP_TCP_ONLY))
		return cli_usage("%s is for TCP; -u relays datagrams",
		    first_given(given, IMP_TCP_ONLY));
	if (!opt->udp && (given & IMP_UDP_ONLY))
		return cli_usage("%s is for datagrams: add -u",
		    first_given(given, IMP_UDP_ONLY));
	if (opt->udp && opt->count > 0)
		return cli_usage("-c counts TCP connections; -u has none");
	return CLI_RUN;
}

/* Append one part of a description, comma-separated. */
static void part(char *, size_t, const char *, ...)
	__attribute__((format(printf, 3, 4)));
static void
part(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 2 >= size)
		return;
	if (used > 0)
		used += (size_t)snprintf(buf + used, size - used, ", ");
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

/* Describe what imp does into buf. */
void
impair_describe(const struct impair *imp, int udp, char *buf, size_t size)
{
	buf[0] = '\0';
	if (imp->segment > 0)
		part(buf, size, "at most %d byte%s per send", imp->segment,
		    imp->segment == 1 ? "" : "s");
	if (imp->delay_ms > 0 || imp->jitter_ms > 0)
		part(buf, size, "delay %d\xc2\xb1%d ms", imp->delay_ms,
		    imp->jitter_ms);
	if (imp->rate > 0)
		part(buf, size, "%lld bytes/s", imp->rate);
	if (imp->stall_after >= 0)
		part(buf, size, "stall %g s after %lld bytes",
		    imp->stall_ms / 1000.0, imp->stall_after);
	if (imp->reset_after >= 0)
		part(buf, size, "reset after %lld bytes", imp->reset_after);
	if (imp->close_after >= 0)
		part(buf, size, "close after %lld bytes", imp->close_after);
	if (udp && imp->loss > 0)
		part(buf, size, "loss %g%%", imp->loss / 10000.0);
	if (udp && imp->duplicate > 0)
		part(buf, size, "duplicate %g%%", imp->duplicate / 10000.0);
	if (udp && imp->reorder > 0)
		part(buf, size, "reorder %g%%", imp->reorder / 10000.0);
	if (imp->truncate >= 0)
		part(buf, size, "truncate to %d bytes", imp->truncate);
	if (buf[0] == '\0')
		snprintf(buf, size, "nothing");
}
