/*
 * unixaddr.c - AF_UNIX addresses from paths and abstract names.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "unixaddr.h"

/* The longest path that fits in sun_path, keeping room for its NUL. */
size_t
unixaddr_max_path(void)
{
	struct sockaddr_un sun;

	return sizeof(sun.sun_path) - 1;
}

/* Fill sun/len for the socket file at path; 0, or -1 with errno. */
int
unixaddr_path(struct sockaddr_un *sun, socklen_t *len, const char *path)
{
	size_t n = strlen(path);

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	/* The kernel would silently cut a longer path, or refuse it: say so
	 * before any system call. */
	if (n > unixaddr_max_path()) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n + 1);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

/* Fill sun/len for an abstract name; 0, or -1 with errno. */
int
unixaddr_abstract(struct sockaddr_un *sun, socklen_t *len, const char *name)
{
#ifdef __linux__
	size_t n = strlen(name);

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	/* The leading NUL byte takes one place of sun_path. */
	if (n > sizeof(sun->sun_path) - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + 1, name, n);
	/* The name is exactly len bytes: no NUL at the end, none counted. */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	return 0;
#else
	(void)sun;
	(void)len;
	(void)name;
	errno = EAFNOSUPPORT;
	return -1;
#endif
}

/* True when this system has the abstract namespace (Linux). */
int
unixaddr_has_abstract(void)
{
#ifdef __linux__
	return 1;
#else
	return 0;
#endif
}
