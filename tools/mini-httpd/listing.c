/*
 * listing.c - directory listings: names HTML-escaped in the text and
 * percent-encoded in the links, so that no file name can inject markup
 * or change where a link goes; and only names that a request for their
 * link would be served, so that every link works and nothing is told
 * about what lies outside ROOT.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "http_parse.h"
#include "listing.h"

/* qsort comparison of two names. */
static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read the names in dirfd (without . and .., and dotfiles unless asked):
 * a malloc'd array of malloc'd strings, count in *n; NULL on error. */
static char **
read_names(int dirfd, int dotfiles, size_t *n)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL, **more;
	size_t cap = 0;
	int fd = dup(dirfd);

	*n = 0;
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && (!dotfiles || e->d_name[1] == '\0' ||
		    (e->d_name[1] == '.' && e->d_name[2] == '\0')))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((more = realloc(names, cap * sizeof(*names))) == NULL)
				break;
			names = more;
		}
		if ((names[*n] = strdup(e->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	if (names == NULL)
		names = malloc(sizeof(*names));
	if (names != NULL)
		qsort(names, *n, sizeof(*names), by_name);
	return names;
}

/* The length of s percent-encoded as text_url(..., "/") writes it. */
static size_t
url_length(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		n += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c) != NULL ? 1 : 3;
	}
	return n;
}

/* Would a GET for the entry name of directory rel be served? It must be a
 * name we serve, a file or a directory (never open a FIFO or a device to
 * find out), short enough to request, and open below ROOT the way the
 * request would open it. 1 with *st describing what it opened, or 0. */
static int
servable(const struct httpd_config *cfg, int dirfd, const char *rel,
    const char *name, struct stat *st)
{
	char path[PATH_MAX];
	int fd, ok;

	if (files_name_status(name, strlen(name), cfg->dotfiles) != 0 ||
	    fstatat(dirfd, name, st, 0) != 0 ||
	    (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)))
		return 0;
	if (snprintf(path, sizeof(path), "%s%s%s", rel, rel[0] ? "/" : "",
	    name) >= (int)sizeof(path) - 16 ||
	    url_length(path) + 2 > HTTP_MAX_TARGET)
		return 0;
	if (files_open(cfg, path, &fd) != 0)
		return 0;
	ok = fstat(fd, st) == 0 && (S_ISREG(st->st_mode) ||
	    S_ISDIR(st->st_mode));
	close(fd);
	return ok;
}

/* One line of the listing: the link, the name, and a file's size. */
static int
put_entry(struct growbuf *out, const char *name, const struct stat *st)
{
	int dir = S_ISDIR(st->st_mode), rc = 0;
	char size[32];

	rc |= text_puts(out, "<li><a href=\"");
	rc |= text_url(out, name, strlen(name), "");
	rc |= text_puts(out, dir ? "/\">" : "\">");
	rc |= text_html(out, name, strlen(name));
	rc |= text_puts(out, dir ? "/</a>" : "</a>");
	if (!dir) {
		snprintf(size, sizeof(size), " %lld bytes",
		    (long long)st->st_size);
		rc |= text_puts(out, size);
	}
	rc |= text_puts(out, "</li>\n");
	return rc;
}

/* Write the listing of dirfd into out (see listing.h). */
int
listing_build(const struct httpd_config *cfg, int dirfd, const char *rel,
    struct growbuf *out)
{
	char **names;
	size_t n, i;
	struct stat st;
	int rc = 0;

	if ((names = read_names(dirfd, cfg->dotfiles, &n)) == NULL)
		return errno == EACCES ? 403 : 500;
	out->len = 0;
	rc |= text_puts(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>Index of /");
	rc |= text_html(out, rel, strlen(rel));
	rc |= text_puts(out, rel[0] ? "/</title></head>\n<body><h1>Index of /" :
	    "</title></head>\n<body><h1>Index of /");
	rc |= text_html(out, rel, strlen(rel));
	rc |= text_puts(out, rel[0] ? "/</h1>\n<ul>\n" : "</h1>\n<ul>\n");
	if (rel[0] != '\0')
		rc |= text_puts(out, "<li><a href=\"../\">../</a></li>\n");
	for (i = 0; i < n; i++) {
		if (servable(cfg, dirfd, rel, names[i], &st))
			rc |= put_entry(out, names[i], &st);
		free(names[i]);
	}
	free(names);
	rc |= text_puts(out, "</ul>\n<hr><p>mini-httpd</p></body></html>\n");
	return rc ? 500 : 0;
}
