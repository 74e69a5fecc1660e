/*
 * config.c - the start-up checks of the paths mini-httpd was given.
 *
 * Each directory with a purpose must be below ROOT once its symlinks are
 * resolved, so that nothing is ever written or run outside what is
 * served; the upload area and the CGI directory must not overlap, or an
 * upload could become a script.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "files.h"
#include "step.h"

struct loaded_page {
	int status;
	char *bytes;
	size_t len;
	const char *type;
};

static struct loaded_page pages[MAX_ERROR_PAGES];
static int npages;

/* Whether path is dir or below it (both real paths). */
static int
below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strncmp(path, dir, n) != 0)
		return 0;
	return path[n] == '\0' || path[n] == '/' || (n == 1 && dir[0] == '/');
}

/* Whether rel (below ROOT) is area a or inside it. */
int
config_in_area(const struct area *a, const char *rel)
{
	size_t n = strlen(a->rel);

	if (a->fd < 0)
		return 0;
	if (n == 0)
		return 1;	/* the area is ROOT itself */
	return strncmp(rel, a->rel, n) == 0 && (rel[n] == '\0' || rel[n] == '/');
}

/* Resolve and open area a (--what DIR): 0, or the exit status. */
static int
open_area(const struct httpd_config *cfg, struct area *a, const char *what)
{
	size_t n = strlen(cfg->root_real);
	const char *rel;
	int err;

	if (a->dir == NULL)
		return 0;
	if (realpath(a->dir, a->real) == NULL ||
	    (a->fd = open(a->real, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err = errno;
		if (err == EACCES || err == EPERM)
			return cli_error(err, STEP_NONE, a->dir,
			    "cannot use --%s '%s'", what, a->dir);
		return cli_usage("cannot use --%s '%s': %s", what, a->dir,
		    strerror(err));
	}
	if (!below(a->real, cfg->root_real))
		return cli_usage("--%s '%s' is not below ROOT %s", what, a->dir,
		    cfg->root_real);
	rel = a->real + n;
	if (*rel == '/')
		rel++;
	memmove(a->rel, rel, strlen(rel) + 1);
	return 0;
}

/* Read --error-page p (a URL path below ROOT) into pages[]: 0 or 64. */
static int
load_page(const struct httpd_config *cfg, const struct error_page *p)
{
	struct loaded_page *lp = &pages[npages];
	struct http_span path, query;
	char rel[PATH_MAX];
	struct stat st;
	int fd, dir, status;
	ssize_t got;

	status = files_target((struct http_span){ p->path, strlen(p->path) },
	    cfg->dotfiles, rel, sizeof(rel), &path, &query, &dir);
	if (status == 0)
		status = files_open(cfg, rel, &fd);
	if (status != 0)
		return cli_usage("bad --error-page %d=%s: not a file below ROOT",
		    p->status, p->path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > ERROR_PAGE_MAX ||
	    (lp->bytes = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return cli_usage("bad --error-page %d=%s: not a regular file of at"
		    " most %d bytes", p->status, p->path, ERROR_PAGE_MAX);
	}
	got = read(fd, lp->bytes, (size_t)st.st_size);
	close(fd);
	if (got != (ssize_t)st.st_size) {
		free(lp->bytes);
		return cli_usage("cannot read --error-page %d=%s", p->status,
		    p->path);
	}
	lp->status = p->status;
	lp->len = (size_t)got;
	lp->type = files_mime(rel);
	npages++;
	return 0;
}

/* Open and check the configured areas and pages (see config.h). */
int
config_check(struct httpd_config *cfg)
{
	struct area *up = &cfg->upload, *cgi = &cfg->cgi_bin;
	int i, rc;

	if ((rc = open_area(cfg, up, "upload")) != 0 ||
	    (rc = open_area(cfg, cgi, "cgi-bin")) != 0)
		return rc;
	if (up->fd >= 0 && cgi->fd >= 0 &&
	    (below(up->real, cgi->real) || below(cgi->real, up->real)))
		return cli_usage("--upload %s and --cgi-bin %s overlap: an upload "
		    "could become a script", up->dir, cgi->dir);
	for (i = 0; i < cfg->ncgi; i++)
		if (access(cfg->cgi[i].interp, X_OK) < 0)
			return cli_usage("cannot run the --cgi interpreter '%s': %s",
			    cfg->cgi[i].interp, strerror(errno));
	for (i = 0; i < cfg->npages; i++)
		if ((rc = load_page(cfg, &cfg->pages[i])) != 0)
			return rc;
	return CLI_RUN;
}

/* The --error-page body for status, or NULL. */
const char *
config_error_page(int status, size_t *len, const char **type)
{
	int i;

	/* The last --error-page for a status wins, as options do. */
	for (i = npages - 1; i >= 0; i--)
		if (pages[i].status == status) {
			*len = pages[i].len;
			*type = pages[i].type;
			return pages[i].bytes;
		}
	return NULL;
}

/* Free the error pages. */
void
config_free(void)
{
	while (npages > 0)
		free(pages[--npages].bytes);
}
