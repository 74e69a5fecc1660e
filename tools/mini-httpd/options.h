/*
 * options.h - mini-httpd's command line.
 */
#ifndef MINI_HTTPD_OPTIONS_H
#define MINI_HTTPD_OPTIONS_H

#include "httpd.h"

/* The most --workers accepted. */
#define MAX_WORKERS 64

struct options {
	const char *bind_addr;	/* -b: local address, NULL for all */
	const char *port;	/* -p: the port (0: the kernel picks) */
	int family;		/* -4 / -6, else AF_UNSPEC */
	int workers;		/* --workers: processes sharing the port */
};

/* Fill opt and cfg from the command line, or exit with a usage error. */
void parse_options(int argc, char *argv[], struct options *opt,
    struct httpd_config *cfg);

#endif
