/*
 * upload.c - the --upload area: POST and PUT store a body, DELETE removes
 * a file (RFC 9110, 9.3.3-9.3.5).
 *
 * Two rules keep writes inside the area. The path is the decoded one
 * (files_target: no "..", "%2e%2e" or "%2f" survives) and must lie in the
 * area; then the directories are opened one by one from the area's
 * descriptor with O_NOFOLLOW, so a symlink can never lead a write out,
 * and the file itself is created with O_EXCL and put in place with
 * rename(), which replaces a name and never writes through it.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "config.h"
#include "trace.h"
#include "upload.h"

/* Whether name ends in an extension that --cgi runs: such a file is
 * never stored, so an upload cannot become (or replace) a script. */
static int
script_name(const struct httpd_config *cfg, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < cfg->ncgi; i++)
		if (n >= cfg->cgi[i].ext_len &&
		    strncasecmp(name + n - cfg->cgi[i].ext_len, cfg->cgi[i].ext,
		    cfg->cgi[i].ext_len) == 0)
			return 1;
	return 0;
}

/* Open the directory of rel inside the upload area, component by
 * component, following no symlink; *name gets the last component. The
 * descriptor, or -1 with *status set (403, 404/409, 414, 500). */
static int
open_parent(const struct httpd_config *cfg, const char *rel, char *name,
    size_t size, int *status)
{
	const struct area *a = &cfg->upload;
	const char *p = rel + strlen(a->rel), *slash;
	char part[256];
	int fd, next;

	if (!config_in_area(a, rel) || *p == '\0' ||
	    (fd = dup(a->fd)) < 0)
		return *status = 403, -1;
	if (*p == '/')
		p++;
	while ((slash = strchr(p, '/')) != NULL) {
		if ((size_t)(slash - p) >= sizeof(part)) {
			close(fd);
			return *status = 414, -1;
		}
		memcpy(part, p, (size_t)(slash - p));
		part[slash - p] = '\0';
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		if (next < 0)
			return *status = errno == ENOENT ? 409 : 403, -1;
		fd = next;
		p = slash + 1;
	}
	if (strlen(p) >= size) {
		close(fd);
		return *status = 414, -1;
	}
	memcpy(name, p, strlen(p) + 1);
	return fd;
}

/* Prepare to store a body for rel (see upload.h). */
int
upload_plan(const struct httpd_config *cfg, const char *rel, int put,
    struct job *j)
{
	static unsigned long serial;
	struct stat st;
	int status, i;

	if ((j->dirfd = open_parent(cfg, rel, j->name, sizeof(j->name),
	    &status)) < 0)
		return status == 409 && !put ? 409 : status;
	if (script_name(cfg, j->name))
		return 403;
	j->put = put;
	snprintf(j->rel, sizeof(j->rel), "%s", rel);
	/* Only a regular file is replaced: never a directory, a symlink. */
	if (fstatat(j->dirfd, j->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISREG(st.st_mode))
			return 403;
		if (!put)
			return 409;	/* POST creates; PUT replaces */
	} else if (errno != ENOENT) {
		return 403;
	}
	/* A dot name: never served or listed (without --dotfiles). */
	for (i = 0; i < 16 && j->fd < 0; i++) {
		snprintf(j->tmp, sizeof(j->tmp), ".upload-%ld-%lu",
		    (long)getpid(), ++serial);
		j->fd = openat(j->dirfd, j->tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (j->fd < 0 && errno != EEXIST)
			break;
	}
	if (j->fd < 0) {
		j->tmp[0] = '\0';
		trace_error("cannot create a file in the upload area: %s",
		    strerror(errno));
		return errno == EACCES ? 403 : 500;
	}
	return 0;
}

/* The body is whole: fsync, then rename into place (see upload.h). */
int
upload_commit(struct job *j)
{
	struct stat st;
	int replaced, rc, fd = j->fd;

	j->fd = -1;
	/* On disk before it has its name: a crash leaves no torn file. */
	rc = fsync(fd);
	if (close(fd) < 0 || rc < 0) {
		trace_error("cannot store '%s': %s", j->rel, strerror(errno));
		upload_abort(j);
		return 500;
	}
	replaced = fstatat(j->dirfd, j->name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (j->put && replaced && !S_ISREG(st.st_mode)) {
		upload_abort(j);
		return 403;	/* became a directory or a symlink meanwhile */
	}
	/* PUT replaces in one step (rename); POST creates only: link()
	 * fails if the name was taken meanwhile, then the temp goes. */
	if (j->put)
		rc = renameat(j->dirfd, j->tmp, j->dirfd, j->name);
	else
		rc = linkat(j->dirfd, j->tmp, j->dirfd, j->name, 0);
	if (rc < 0) {
		rc = errno;
		upload_abort(j);
		return rc == EEXIST ? 409 : 500;
	}
	if (!j->put)
		unlinkat(j->dirfd, j->tmp, 0);
	j->tmp[0] = '\0';
	fsync(j->dirfd);	/* the new name itself is on disk */
	cache_forget(j->rel);
	return j->put && replaced ? 204 : 201;
}

/* Remove the temporary file of a body that will not be whole. */
void
upload_abort(struct job *j)
{
	if (j->fd >= 0) {
		close(j->fd);
		j->fd = -1;
	}
	if (j->tmp[0] != '\0' && j->dirfd >= 0)
		unlinkat(j->dirfd, j->tmp, 0);
	j->tmp[0] = '\0';
}

/* DELETE rel (see upload.h). */
int
upload_delete(const struct httpd_config *cfg, const char *rel)
{
	char name[256];
	struct stat st;
	int dirfd, status;

	if ((dirfd = open_parent(cfg, rel, name, sizeof(name), &status)) < 0)
		return status == 409 ? 404 : status;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		status = errno == ENOENT ? 404 : 403;
	else if (!S_ISREG(st.st_mode))
		status = 403;	/* a directory or a symlink stays */
	else if (unlinkat(dirfd, name, 0) < 0)
		status = errno == ENOENT ? 404 : errno == EACCES ? 403 : 500;
	else
		status = 204;
	close(dirfd);
	cache_forget(rel);
	return status;
}
