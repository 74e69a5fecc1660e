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

/* The most --cgi and --error-page options taken. */
#define MAX_CGI_EXT 16
#define MAX_ERROR_PAGES 32

/* --cgi EXT=INTERPRETER: files ending in ext are run by interp. */
struct cgi_ext {
	const char *ext;	/* ".py" */
	size_t ext_len;
	const char *interp;	/* "/usr/bin/python3" */
};

/* --error-page STATUS=/path: the body of that error status. */
struct error_page {
	int status;
	const char *path;	/* the URL path below ROOT, "/404.html" */
};

/* A directory below ROOT that has a purpose (--upload, --cgi-bin). */
struct area {
	const char *dir;	/* as given on the command line, or NULL */
	char rel[PATH_MAX];	/* below ROOT: "uploads", or "" for ROOT */
	char real[PATH_MAX];	/* with symlinks resolved */
	int fd;			/* open, for openat(); -1 if not configured */
};

struct httpd_config {
	const char *root;	/* ROOT as given on the command line */
	char root_real[PATH_MAX];	/* ROOT with symlinks resolved */
	int root_fd;		/* ROOT, open, for openat() */
	int max_head;		/* --max-header: bytes of a request head */
	long long max_body;	/* --max-body: bytes of a request body */
	int max_conns;		/* --max-conns: open connections */
	int idle_ms;		/* --timeout: idle keep-alive / stalled send */
	int head_ms;		/* --header-timeout: whole request head */
	int follow_symlinks;	/* --follow-symlinks: even out of ROOT */
	int dotfiles;		/* --dotfiles: serve and list .names */
	int listing;		/* directory listings (off: --no-listing) */
	int access_log;		/* Common Log Format on stdout (off: -q) */
	int body_ms;		/* --body-timeout: a whole body kept */
	struct area upload;	/* --upload DIR: POST, PUT, DELETE there */
	struct area cgi_bin;	/* --cgi-bin DIR: executables run there */
	struct cgi_ext cgi[MAX_CGI_EXT];	/* --cgi EXT=INTERPRETER */
	int ncgi;
	int cgi_ms;		/* --cgi-timeout: a script's silence */
	struct error_page pages[MAX_ERROR_PAGES];	/* --error-page */
	int npages;
	unsigned port;		/* the port listened on, for CGI */
};

#endif
