/*
 * options.h - mini-httpd's command line.
 */
#ifndef MINI_HTTPD_OPTIONS_H
#define MINI_HTTPD_OPTIONS_H

#include "cli.h"
#include "httpd.h"

/* The most --workers accepted. */
#define MAX_WORKERS 64

struct options {
	struct cli_common cli;	/* -4 / -6, -q / -v */
	const char *bind_addr;	/* -b: local address, NULL for all */
	const char *port;	/* -p: the port (0: the kernel picks) */
	int workers;		/* --workers: processes sharing the port */
	struct httpd_config cfg;	/* what the server itself needs */
};

/* Fill opt from the command line: CLI_RUN, or the status to exit with. */
int parse_options(int argc, char *argv[], struct options *opt);

#endif
