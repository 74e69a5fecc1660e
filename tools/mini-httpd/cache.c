/*
 * cache.c - small files kept in memory for a second (see cache.h).
 *
 * One process, one thread: the table is a plain static array. Memory for
 * bytes is allocated when an entry first holds a file that large and is
 * reused afterwards, so the steady state allocates nothing.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "files.h"

static struct cache_entry slots[CACHE_SLOTS];

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a hash of a path: which slot it lives in. */
static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % CACHE_SLOTS;
}

/* Read the file open on fd (described by st) into e; 0 or -1. */
static int
fill(struct cache_entry *e, int fd, const struct stat *st, size_t max)
{
	struct head h;

	e->size = (unsigned long long)st->st_size;
	e->small = S_ISREG(st->st_mode) && e->size <= max;
	if (!e->small)
		return 0;
	if (e->cap < e->size || e->bytes == NULL) {
		char *p = realloc(e->bytes, e->size ? e->size : 1);

		if (p == NULL)
			return -1;
		e->bytes = p;
		e->cap = e->size ? e->size : 1;
	}
	if (pread(fd, e->bytes, e->size, 0) != (ssize_t)e->size)
		return -1;
	e->type = files_mime(e->rel);
	files_validators(st, time(NULL), e->etag, &e->mtime);
	resp_date(e->mtime, e->modified);
	h.buf = e->fields;
	h.size = sizeof(e->fields);
	h.len = 0;
	h.overflow = 0;
	resp_add(&h, "Content-Type: %s", e->type);
	resp_add(&h, "Content-Length: %llu", e->size);
	resp_add(&h, "Last-Modified: %s", e->modified);
	resp_add(&h, "ETag: %s", e->etag);
	resp_add(&h, "Accept-Ranges: bytes");
	e->fields_len = h.overflow ? 0 : h.len;
	return 0;
}

/* The entry for rel, read or refreshed if needed (see cache.h). */
const struct cache_entry *
cache_get(const struct httpd_config *cfg, const char *rel, size_t max)
{
	struct cache_entry *e = &slots[hash(rel)];
	long long now = now_ms();
	struct stat st;
	int fd, rc;

	if (e->rel[0] != '\0' && now - e->checked < CACHE_VALID_MS &&
	    strcmp(e->rel, rel) == 0)
		return e;
	if (strlen(rel) >= sizeof(e->rel) || rel[0] == '\0')
		return NULL;
	e->rel[0] = '\0';
	if (files_open(cfg, rel, &fd) != 0)
		return NULL;
	rc = fstat(fd, &st) == 0 ? 0 : -1;
	memcpy(e->rel, rel, strlen(rel) + 1);
	if (rc == 0)
		rc = fill(e, fd, &st, max);
	close(fd);
	if (rc < 0) {
		e->rel[0] = '\0';
		return NULL;
	}
	e->checked = now;
	return e;
}

/* Forget every entry and free the bytes. */
void
cache_free(void)
{
	size_t i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		free(slots[i].bytes);
		memset(&slots[i], 0, sizeof(slots[i]));
	}
}

/* rel was changed or removed by a request: read it afresh next time. */
void
cache_forget(const char *rel)
{
	struct cache_entry *e = &slots[hash(rel)];

	if (strcmp(e->rel, rel) == 0)
		e->rel[0] = '\0';
}
