/*
 * cache.h - a small cache of small files: their bytes and the header
 * fields of a 200 response, kept for a second, so that a popular 1 KiB
 * file costs no open, fstat, read or close per request.
 *
 * A file changed on disk is seen at most CACHE_VALID_MS later (the same
 * rule as nginx's open_file_cache_valid).
 */
#ifndef MINI_HTTPD_CACHE_H
#define MINI_HTTPD_CACHE_H

#include <stddef.h>
#include <time.h>

#include "files.h"
#include "httpd.h"
#include "response.h"

#define CACHE_SLOTS 64		/* entries, direct-mapped by a hash of the path */
#define CACHE_NAME 256		/* longer paths are never cached */
#define CACHE_VALID_MS 1000	/* how long an entry is trusted */

struct cache_entry {
	char rel[CACHE_NAME];	/* the path below ROOT; "" when empty */
	long long checked;	/* ms (monotonic) when it was read */
	int small;		/* 1: a regular file whose bytes are here;
				 * 0: something else (a directory, a large file) */
	unsigned long long size;
	time_t mtime;
	const char *type;
	char etag[FILES_ETAG_LEN];
	char modified[HTTP_DATE_LEN];
	char *bytes;		/* the file's bytes (size of them) */
	size_t cap;		/* allocated for bytes; kept when refreshed */
	char fields[512];	/* Content-Type ... Accept-Ranges for a 200 */
	size_t fields_len;
};

/* The entry for rel, read or refreshed if needed; NULL if rel cannot be
 * cached (not openable, too long a name: the caller takes the slow
 * path, which also gives the right error). max is the largest size whose
 * bytes are kept. */
const struct cache_entry *cache_get(const struct httpd_config *cfg,
    const char *rel, size_t max);

/* rel was changed or removed by a request (PUT, DELETE): read it afresh
 * next time, not up to CACHE_VALID_MS later. */
void cache_forget(const char *rel);

/* Forget every entry and free the bytes (at exit). */
void cache_free(void);

#endif
