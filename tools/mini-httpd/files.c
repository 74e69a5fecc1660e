/*
 * files.c - safe path resolution below ROOT, and the MIME table.
 *
 * Two fences keep every request inside ROOT. First the target is decoded
 * exactly once and its dot segments are removed by hand, so no "..",
 * "%2e%2e", "%2f" or "%00" survives (double encoding stays a literal
 * name). Then the file is opened relative to ROOT's descriptor with
 * openat2(RESOLVE_BENEATH) on Linux, so the kernel itself refuses any
 * symlink that leads out; elsewhere realpath() checks the same.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <stdint.h>
#include <sys/syscall.h>
#ifndef SYS_openat2
#define SYS_openat2 437		/* Linux 5.6; the same on every architecture */
#endif
/* openat2's argument, as in <linux/openat2.h> (not every libc has it). */
struct open_how_ {
	uint64_t flags, mode, resolve;
};
#define RESOLVE_NO_MAGICLINKS_ 0x02	/* no /proc/PID/fd/N jumps */
#define RESOLVE_BENEATH_ 0x08		/* never leave the directory fd */
#endif

#include "files.h"
#include "http_field.h"

/* The path part of an absolute-form target "http://host/path?q" (RFC 9112,
 * 3.2.2); the parser has checked the authority. */
static struct http_span
origin_part(struct http_span t)
{
	struct http_span a = http_authority(t);
	size_t i;

	if (a.p == NULL)
		return t;
	i = (size_t)(a.p + a.n - t.p);	/* just past the authority */
	if (i == t.n || t.p[i] != '/')
		return (struct http_span){ "/", 1 };	/* "http://host": "/" */
	return (struct http_span){ t.p + i, t.n - i };
}

/* Whether one decoded name would be served (see files.h). */
int
files_name_status(const char *name, size_t n, int dotfiles)
{
	/* An encoded slash, NUL or backslash is never a name. */
	if (n == 0 || memchr(name, '\0', n) != NULL ||
	    memchr(name, '/', n) != NULL || memchr(name, '\\', n) != NULL)
		return 400;
	if ((n == 1 && name[0] == '.') ||
	    (n == 2 && name[0] == '.' && name[1] == '.'))
		return 400;
	if (name[0] == '.' && !dotfiles)
		return 404;
	return 0;
}

/* Split the query (up to any '#') off the path t[0..end). */
static void
split_query(struct http_span t, size_t end, struct http_span *path,
    struct http_span *query)
{
	size_t i;

	path->p = t.p;
	path->n = end;
	query->p = t.p + end;
	query->n = 0;
	if (end < t.n && t.p[end] == '?') {
		for (i = end; i < t.n && t.p[i] != '#'; i++)
			continue;
		query->n = i - end;
	}
}

/* Decode the target's path into rel (see files.h). */
int
files_target(struct http_span target, int dotfiles, char *rel, size_t size,
    struct http_span *path, struct http_span *query, int *dir)
{
	struct http_span t = origin_part(target);
	size_t i, end, len = 0, seg;
	int status;
	char c;

	if (t.n == 0 || t.p[0] != '/')
		return 400;
	for (end = 0; end < t.n && t.p[end] != '?' && t.p[end] != '#'; end++)
		continue;
	split_query(t, end, path, query);
	/* Walk the segments after each '/', decoding as we copy. */
	for (i = 1; i <= end; i++) {
		seg = len;
		while (i < end && t.p[i] != '/') {
			c = t.p[i++];
			if (c == '%') {
				const unsigned char *x =
				    (const unsigned char *)t.p + i;
				int hi = i + 1 < end ? http_hexval(x[0]) : -1;
				int lo = hi >= 0 ? http_hexval(x[1]) : -1;

				if (lo < 0)
					return 400;
				c = (char)(hi * 16 + lo);
				i += 2;
			}
			if (len + 2 >= size)
				return 414;
			rel[len++] = c;
		}
		/* An empty, "." or ".." last segment leaves a directory. */
		*dir = 1;
		if (len == seg)
			continue;	/* "//": an empty segment */
		if (len - seg == 1 && rel[seg] == '.') {
			len = seg;	/* "." names the directory itself */
			continue;
		}
		if (len - seg == 2 && rel[seg] == '.' && rel[seg + 1] == '.') {
			/* ".." removes the segment before it, if any. */
			if (seg == 0)
				return 400;
			len = seg - 1;
			while (len > 0 && rel[len - 1] != '/')
				len--;
			continue;
		}
		if ((status = files_name_status(rel + seg, len - seg,
		    dotfiles)) != 0)
			return status;
		*dir = 0;
		rel[len++] = '/';
	}
	if (len > 0)
		len--;		/* the '/' after the last segment */
	rel[len] = '\0';
	return 0;
}

/* The ETag and Last-Modified time of a file (see files.h). */
void
files_validators(const struct stat *st, time_t now,
    char etag[FILES_ETAG_LEN], time_t *mtime)
{
	snprintf(etag, FILES_ETAG_LEN, "\"%llx-%llx-%llx.%lx\"",
	    (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
	    (unsigned long long)st->st_mtim.tv_sec,
	    (unsigned long)st->st_mtim.tv_nsec);
	/* A clock set back, or a file from the future: never later than
	 * the response's Date. */
	*mtime = st->st_mtim.tv_sec > now ? now : st->st_mtim.tv_sec;
}

/* The status for an errno from opening a file. */
static int
open_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return 404;
	case EACCES:
	case EPERM:
	case ELOOP:
	case EXDEV:
		return 403;
	case ENAMETOOLONG:
		return 414;
	default:
		return 500;
	}
}

/* 0 if rel, with every symlink resolved, is ROOT or below it. */
static int
inside_root(const struct httpd_config *cfg, const char *rel, int *status)
{
	char path[PATH_MAX], real[PATH_MAX];
	size_t n = strlen(cfg->root_real);

	if (snprintf(path, sizeof(path), "%s/%s", cfg->root_real, rel) >=
	    (int)sizeof(path))
		return *status = 414, -1;
	if (realpath(path, real) == NULL)
		return *status = open_status(errno), -1;
	if (strncmp(real, cfg->root_real, n) != 0 ||
	    (real[n] != '\0' && real[n] != '/' && n > 1))
		return *status = 403, -1;
	return 0;
}

/* Open rel below ROOT, refusing ways out (see files.h). */
int
files_open(const struct httpd_config *cfg, const char *rel, int *fd)
{
	const char *name = rel[0] ? rel : ".";
	int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, status;

	if (cfg->follow_symlinks) {
		*fd = openat(cfg->root_fd, name, flags);
		return *fd < 0 ? open_status(errno) : 0;
	}
#ifdef __linux__
	static int no_openat2;	/* the kernel (or valgrind) lacks it */

	if (!no_openat2) {
		struct open_how_ how;

		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)flags;
		how.resolve = RESOLVE_BENEATH_ | RESOLVE_NO_MAGICLINKS_;
		*fd = (int)syscall(SYS_openat2, cfg->root_fd, name, &how,
		    sizeof(how));
		if (*fd >= 0)
			return 0;
		/* EXDEV: the kernel saw a way out, or an absolute symlink
		 * that may still land inside ROOT: realpath() decides. */
		if (errno != ENOSYS && errno != EXDEV)
			return open_status(errno);
		no_openat2 = errno == ENOSYS;
	}
#endif
	if (inside_root(cfg, rel, &status) < 0)
		return status;
	*fd = openat(cfg->root_fd, name, flags);
	return *fd < 0 ? open_status(errno) : 0;
}

struct mime {
	const char *ext, *type;
};

/* The web's common types (after the IANA registry and nginx's mime.types). */
static const struct mime mimes[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" }, { "map", "application/json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "xml", "application/xml" }, { "rss", "application/rss+xml" },
	{ "svg", "image/svg+xml" }, { "png", "image/png" },
	{ "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
	{ "gif", "image/gif" }, { "webp", "image/webp" },
	{ "avif", "image/avif" }, { "ico", "image/x-icon" },
	{ "bmp", "image/bmp" }, { "wasm", "application/wasm" },
	{ "woff", "font/woff" }, { "woff2", "font/woff2" },
	{ "ttf", "font/ttf" }, { "otf", "font/otf" },
	{ "mp3", "audio/mpeg" }, { "ogg", "audio/ogg" },
	{ "wav", "audio/wav" }, { "mp4", "video/mp4" },
	{ "webm", "video/webm" }, { "pdf", "application/pdf" },
	{ "zip", "application/zip" }, { "gz", "application/gzip" },
	{ "tar", "application/x-tar" }, { "c", "text/plain; charset=utf-8" },
	{ "h", "text/plain; charset=utf-8" },
	{ "sh", "text/plain; charset=utf-8" },
};

/* The Content-Type for a file name, by its extension (any case). */
const char *
files_mime(const char *name)
{
	const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
	size_t i, j;

	if (dot == NULL || (slash != NULL && slash > dot))
		return "application/octet-stream";
	dot++;
	for (i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++) {
		for (j = 0; dot[j] != '\0' && mimes[i].ext[j] != '\0'; j++)
			if ((dot[j] | 0x20) != mimes[i].ext[j])
				break;
		if (dot[j] == '\0' && mimes[i].ext[j] == '\0')
			return mimes[i].type;
	}
	return "application/octet-stream";
}
