/*
 * options.c - mini-httpd's options, declared once (cli.h): parsing, the
 * ranges and --help all come from the table below.
 */
#include <sys/socket.h>
#include <stddef.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "trace.h"

#define OPT(field) offsetof(struct options, field)

static int parse_cgi(const char *, void *);
static int parse_error_page(const char *, void *);

static const struct cli_option options[] = {
	{ .letter = 'b', .type = CLI_TEXT, .field = OPT(bind_addr),
	  .arg = "ADDR", .help = "bind this local address (default: all)" },
	{ .letter = 'p', .name = "port", .type = CLI_PORT, .field = OPT(port),
	  .arg = "PORT", .min = 0,
	  .help = "the port to listen on (default 8080; 0: the kernel picks)" },
	{ .name = "workers", .type = CLI_INT, .field = OPT(workers),
	  .arg = "N", .min = 1, .max = MAX_WORKERS, .what = "number of workers",
	  .help = "N processes sharing the port with SO_REUSEPORT (Linux)" },
	{ .name = "max-conns", .type = CLI_INT, .field = OPT(cfg.max_conns),
	  .arg = "N", .min = 1, .max = 1000000, .what = "connection limit",
	  .help = "open connections (default 16384); beyond: 503" },
	{ .name = "max-header", .type = CLI_INT, .field = OPT(cfg.max_head),
	  .arg = "BYTES", .min = 256, .max = 1024 * 1024, .what = "header size",
	  .help = "largest request head (default 8192); beyond: 431" },
	{ .name = "max-body", .type = CLI_LONG, .field = OPT(cfg.max_body),
	  .arg = "BYTES", .min = 0, .max = 1LL << 40, .what = "body size",
	  .help = "largest request body read, stored or given to a script\n"
	  "(default 1048576); beyond: 413" },
	{ .name = "body-timeout", .type = CLI_MS, .field = OPT(cfg.body_ms),
	  .arg = "SECS", .min = 1, .max = 86400000, .what = "body timeout",
	  .help = "deadline for a whole body that is stored or given to a\n"
	  "script (default 30); then 408" },
	{ .name = "upload", .type = CLI_TEXT, .field = OPT(cfg.upload.dir),
	  .arg = "DIR", .help = "accept POST and PUT (stored) and DELETE for the\n"
	  "files under DIR, a directory below ROOT (default: off, 405)" },
	{ .name = "cgi", .type = CLI_CALL, .parse = parse_cgi,
	  .arg = "EXT=PROG", .help = "run files ending in EXT as CGI scripts with\n"
	  "the interpreter PROG, e.g. .py=/usr/bin/python3 (repeatable;\n"
	  "only under --cgi-bin if given, never under --upload)" },
	{ .name = "cgi-bin", .type = CLI_TEXT, .field = OPT(cfg.cgi_bin.dir),
	  .arg = "DIR", .help = "run the executable files under DIR (below ROOT)\n"
	  "as CGI scripts, by their #! line" },
	{ .name = "cgi-timeout", .type = CLI_MS, .field = OPT(cfg.cgi_ms),
	  .arg = "SECS", .min = 1, .max = 86400000, .what = "CGI timeout",
	  .help = "longest a script may go without output (default 30);\n"
	  "then it is killed, and 504 if nothing was sent yet" },
	{ .name = "error-page", .type = CLI_CALL, .parse = parse_error_page,
	  .arg = "STATUS=PATH", .help = "the file at PATH (below ROOT, e.g.\n"
	  "404=/404.html) is the body of that error status (repeatable)" },
	{ .name = "timeout", .type = CLI_MS, .field = OPT(cfg.idle_ms),
	  .arg = "SECS", .min = 1, .max = 86400000, .what = "timeout",
	  .help = "idle keep-alive and stalled-send timeout (default 15)" },
	{ .name = "header-timeout", .type = CLI_MS, .field = OPT(cfg.head_ms),
	  .arg = "SECS", .min = 1, .max = 86400000, .what = "header timeout",
	  .help = "deadline for a whole request head, however slowly it\n"
	  "trickles in (default 10); then 408; the same for a body\n"
	  "being dropped, then close" },
	{ .name = "follow-symlinks", .type = CLI_FLAG,
	  .field = OPT(cfg.follow_symlinks),
	  .help = "follow symlinks even when they lead out of ROOT" },
	{ .name = "dotfiles", .type = CLI_FLAG, .field = OPT(cfg.dotfiles),
	  .help = "serve and list names that start with '.'" },
	{ .name = "no-listing", .type = CLI_SET, .field = OPT(cfg.listing),
	  .value = 0,
	  .help = "403 instead of a listing for directories without index.html" },
	{ 0 }
};

static const struct cli_tool tool = {
	.args = "[ROOT]", .min_args = 0, .max_args = 1,
	.about = "Serve the files under ROOT (default: the current directory) "
	    "over HTTP/1.1\non PORT (default 8080; 0: the kernel picks one and "
	    "it is printed).\nGET and HEAD, keep-alive and pipelining, ranges, "
	    "304, listings; with --upload,\nPOST, PUT and DELETE there; with "
	    "--cgi or --cgi-bin, CGI scripts (RFC 3875).\nThe access log "
	    "(Common Log Format) goes to stdout; -q turns it off.",
	.options = options, .shared = CLI_FAMILY,
	.steps = "1 socket, 2 setsockopt, 3 bind, 4 listen, 5 accept, 7 send, "
	    "8 recv, 9 close",
	.lessons = "lessons/13-http.md (and lessons/12-many-clients.md, "
	    "lessons/07-send.md)",
	.exits = "77 ROOT cannot be read; 64 ROOT is missing or not a "
	    "directory, or an --upload,\n--cgi-bin or --error-page path is not "
	    "below ROOT",
};

/* Fill opt from the command line: CLI_RUN, or the status to exit with. */
int
parse_options(int argc, char *argv[], struct options *opt)
{
	struct httpd_config *cfg = &opt->cfg;
	int first, rc;

	memset(opt, 0, sizeof(*opt));
	opt->port = "8080";
	opt->workers = 1;
	cfg->root = ".";
	cfg->max_head = 8192;
	cfg->max_body = 1024 * 1024;
	cfg->max_conns = 16384;
	cfg->idle_ms = 15000;
	cfg->head_ms = 10000;
	cfg->listing = 1;
	cfg->body_ms = 30000;
	cfg->cgi_ms = 30000;
	cfg->upload.fd = -1;
	cfg->cgi_bin.fd = -1;
	if ((rc = cli_parse(&tool, argc, argv, opt, &opt->cli, &first)) !=
	    CLI_RUN)
		return rc;
	if (first < argc)
		cfg->root = argv[first];
	cfg->access_log = opt->cli.verbosity > TRACE_QUIET;
#ifndef SO_REUSEPORT
	if (opt->workers > 1) {
		trace_status("note: --workers needs SO_REUSEPORT; serving with "
		    "one process");
		opt->workers = 1;
	}
#endif
	return CLI_RUN;
}

/* --cgi EXT=PROG: ".py=/usr/bin/python3"; PROG must be an absolute path
 * (scripts run with a clean environment, so no PATH search). */
static int
parse_cgi(const char *text, void *opts)
{
	struct httpd_config *cfg = &((struct options *)opts)->cfg;
	const char *eq = strchr(text, '=');

	if (eq == NULL || eq == text || text[0] != '.' || eq[1] != '/' ||
	    memchr(text, '/', (size_t)(eq - text)) != NULL) {
		cli_usage("bad --cgi '%s': must be .EXT=/absolute/program", text);
		return -1;
	}
	if (cfg->ncgi == MAX_CGI_EXT) {
		cli_usage("too many --cgi (at most %d)", MAX_CGI_EXT);
		return -1;
	}
	cfg->cgi[cfg->ncgi].ext = text;
	cfg->cgi[cfg->ncgi].ext_len = (size_t)(eq - text);
	cfg->cgi[cfg->ncgi++].interp = eq + 1;
	return 0;
}

/* --error-page STATUS=/path: a 4xx or 5xx status and a path below ROOT. */
static int
parse_error_page(const char *text, void *opts)
{
	struct httpd_config *cfg = &((struct options *)opts)->cfg;
	int status = 0, i;

	for (i = 0; i < 3 && text[i] >= '0' && text[i] <= '9'; i++)
		status = status * 10 + text[i] - '0';
	if (i != 3 || text[3] != '=' || text[4] != '/' || status < 400 ||
	    status > 599) {
		cli_usage("bad --error-page '%s': must be STATUS=/path, with "
		    "STATUS from 400 to 599", text);
		return -1;
	}
	if (cfg->npages == MAX_ERROR_PAGES) {
		cli_usage("too many --error-page (at most %d)", MAX_ERROR_PAGES);
		return -1;
	}
	cfg->pages[cfg->npages].status = status;
	cfg->pages[cfg->npages++].path = text + 4;
	return 0;
}
