/*
 * httpd.h - mini-httpd's configuration, shared by all its parts.
 */
#ifndef MINI_HTTPD_HTTPD_H
#define MINI_HTTPD_HTTPD_H

#include <limits.h>
#include <stddef.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

struct httpd_config {
	const char *root;	/* ROOT as given on the command line */
	char root_real[PATH_MAX];	/* ROOT with symlinks resolved */
	int root_fd;		/* ROOT, open, for openat() */
	size_t max_head;	/* --max-header: bytes of a request head */
	unsigned long long max_body;	/* --max-body: discarded body bytes */
	int max_conns;		/* --max-conns: open connections */
	int idle_ms;		/* --timeout: idle keep-alive / stalled send */
	int head_ms;		/* --header-timeout: whole request head */
	int follow_symlinks;	/* --follow-symlinks: even out of ROOT */
	int dotfiles;		/* --dotfiles: serve and list .names */
	int listing;		/* directory listings (off: --no-listing) */
	int access_log;		/* Common Log Format on stdout (off: -q) */
};

#endif
