/*
 * listing.c - directory listings: names HTML-escaped in the text and
 * percent-encoded in the links, so that no file name can inject markup
 * or change where a link goes.
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

#include "listing.h"

/* Append n bytes to b, growing it; 0 or -1. */
static int
put(struct growbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

/* Append a C string. */
static int
puts_(struct growbuf *b, const char *s)
{
	return put(b, s, strlen(s));
}

/* Append s with & < > " ' as HTML character references. */
static int
put_html(struct growbuf *b, const char *s, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		switch (s[i]) {
		case '&': rc = puts_(b, "&amp;"); break;
		case '<': rc = puts_(b, "&lt;"); break;
		case '>': rc = puts_(b, "&gt;"); break;
		case '"': rc = puts_(b, "&quot;"); break;
		case '\'': rc = puts_(b, "&#39;"); break;
		default: rc = put(b, s + i, 1);
		}
	}
	return rc;
}

/* Append s percent-encoded: only RFC 3986 unreserved bytes stay as they are. */
static int
put_url(struct growbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			rc = put(b, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		rc = put(b, e, 3);
	}
	return rc;
}

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

/* Write the listing of dirfd into out (see listing.h). */
int
listing_build(int dirfd, struct http_span path, int dotfiles,
    struct growbuf *out)
{
	char **names, size[32];
	size_t n, i;
	struct stat st;
	int rc = 0;

	if ((names = read_names(dirfd, dotfiles, &n)) == NULL)
		return errno == EACCES ? 403 : 500;
	out->len = 0;
	rc |= puts_(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>Index of ");
	rc |= put_html(out, path.p, path.n);
	rc |= puts_(out, "</title></head>\n<body><h1>Index of ");
	rc |= put_html(out, path.p, path.n);
	rc |= puts_(out, "</h1>\n<ul>\n");
	if (path.n > 1)
		rc |= puts_(out, "<li><a href=\"../\">../</a></li>\n");
	for (i = 0; i < n; i++) {
		int dir = fstatat(dirfd, names[i], &st, 0) == 0 &&
		    S_ISDIR(st.st_mode);

		rc |= puts_(out, "<li><a href=\"");
		rc |= put_url(out, names[i]);
		rc |= puts_(out, dir ? "/\">" : "\">");
		rc |= put_html(out, names[i], strlen(names[i]));
		rc |= puts_(out, dir ? "/</a>" : "</a>");
		if (!dir && fstatat(dirfd, names[i], &st, 0) == 0) {
			snprintf(size, sizeof(size), " %lld bytes",
			    (long long)st.st_size);
			rc |= puts_(out, size);
		}
		rc |= puts_(out, "</li>\n");
		free(names[i]);
	}
	free(names);
	rc |= puts_(out, "</ul>\n<hr><p>mini-httpd</p></body></html>\n");
	return rc ? 500 : 0;
}
