/*
 * unixaddr.h - AF_UNIX addresses: a sockaddr_un from a path or an
 * abstract name, with the length check that sun_path needs.
 *
 * A path address names a socket file in the filesystem ("./demo.sock");
 * an abstract address (Linux only) is a name with no file, written
 * "@name" in narration: sun_path starts with a NUL byte.
 */
#ifndef SOCKLAB_UNIXADDR_H
#define SOCKLAB_UNIXADDR_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

/* The longest path (in bytes, without its NUL) that fits in sun_path. */
size_t unixaddr_max_path(void);

/* Fill sun/len for the socket file at path; 0, or -1 with errno
 * ENAMETOOLONG (path does not fit) or EINVAL (empty path). */
int unixaddr_path(struct sockaddr_un *sun, socklen_t *len, const char *path);

/* Fill sun/len for the abstract name (no file); 0, or -1 with errno
 * ENAMETOOLONG, EINVAL, or EAFNOSUPPORT where the system has no
 * abstract namespace (everywhere but Linux). */
int unixaddr_abstract(struct sockaddr_un *sun, socklen_t *len,
    const char *name);

/* True when this system has the abstract namespace (Linux). */
int unixaddr_has_abstract(void);

#endif
