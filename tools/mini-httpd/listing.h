/*
 * listing.h - the HTML page that lists a directory without index.html.
 */
#ifndef MINI_HTTPD_LISTING_H
#define MINI_HTTPD_LISTING_H

#include "httpd.h"
#include "text.h"

/* Write the listing of the open directory dirfd, which is rel below ROOT
 * ("" for ROOT), into out. It lists exactly the entries a request for
 * their link would serve: files and directories that open below ROOT as
 * that request would open them. Names the server hides (dotfiles unless
 * --dotfiles), symlinks that lead out of ROOT, broken links, FIFOs,
 * sockets, devices and unreadable entries are left out, so nothing is
 * told about them. 0, or an error status (403, 500). */
int listing_build(const struct httpd_config *cfg, int dirfd, const char *rel,
    struct growbuf *out);

#endif
