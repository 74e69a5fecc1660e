/*
 * listing.h - the HTML page that lists a directory without index.html.
 */
#ifndef MINI_HTTPD_LISTING_H
#define MINI_HTTPD_LISTING_H

#include <stddef.h>

#include "http_parse.h"

/* A growable byte buffer, kept between requests so that it is allocated
 * once and reused. */
struct growbuf {
	char *p;
	size_t len, cap;
};

/* Write the listing of the open directory dirfd, whose URL path is path
 * (raw, percent-encoded), into out. Names starting with '.' are left out
 * unless dotfiles. 0, or an error status (403, 500). */
int listing_build(int dirfd, struct http_span path, int dotfiles,
    struct growbuf *out);

#endif
