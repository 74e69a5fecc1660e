/*
 * step.h - the nine steps of the socket procedure, one traced wrapper each.
 *
 * Each wrapper makes the system call, narrates it (trace.h) and returns
 * its result unchanged, with errno intact, so a tool's main() reads as the
 * procedure itself. EINTR is retried unless step_stop has been set by a
 * signal handler, in which case the step returns -1 with errno EINTR.
 */
#ifndef SOCKLAB_STEP_H
#define SOCKLAB_STEP_H

#include <signal.h>
#include <sys/types.h>
#include <sys/socket.h>

/* The nine steps of the socket procedure (see lessons/README.md). */
enum step_number {
	STEP_NONE = 0,		/* an event outside the nine: resolve, poll, ... */
	STEP_SOCKET = 1,
	STEP_SETSOCKOPT = 2,	/* and getsockopt */
	STEP_BIND = 3,
	STEP_LISTEN = 4,
	STEP_ACCEPT = 5,
	STEP_CONNECT = 6,
	STEP_SEND = 7,
	STEP_RECV = 8,
	STEP_CLOSE = 9		/* shutdown and close */
};

/* Set from a signal handler (cli_catch_stop: the signal's number) to make
 * blocking steps give up with EINTR. */
extern volatile sig_atomic_t step_stop;

/* True, with errno EINTR, if a stop has already been asked for: a step
 * that would block checks this first and does not start its call. (A
 * signal in the few instructions between this test and the call is only
 * seen when the call returns; ppoll(2) exists to close that last gap.) */
int step_stopped(void);

/* 1 socket: socket(2). */
int step_socket(int domain, int type, int protocol);

/* 2 setsockopt: an int-valued option, e.g. (fd, SOL_SOCKET, SO_REUSEADDR, 1). */
int step_setsockopt_int(int fd, int level, int name, int value);
/* 2 setsockopt: SO_LINGER (onoff, seconds). */
int step_setsockopt_linger(int fd, int onoff, int seconds);
/* 2 getsockopt: read an int-valued option back into *value. */
int step_getsockopt_int(int fd, int level, int name, int *value);
/* 2 setsockopt: an option whose value is a struct of len bytes; what
 * describes it in the narration ("1 BPF instruction"). */
int step_setsockopt_data(int fd, int level, int name, const void *value,
    socklen_t len, const char *what);
/* 2 getsockopt: an option whose value is a struct, into value/len. */
int step_getsockopt_data(int fd, int level, int name, void *value,
    socklen_t *len);

/* 3 bind: bind(2). */
int step_bind(int fd, const struct sockaddr *sa, socklen_t len);
/* 4 listen: listen(2). */
int step_listen(int fd, int backlog);

/* 5 accept: accept(2); the peer's address goes to peer/len (may be NULL). */
int step_accept(int fd, struct sockaddr_storage *peer, socklen_t *len);

/* 6 connect: connect(2); timeout_ms < 0 blocks, else gives up with
 * ETIMEDOUT after that many milliseconds (non-blocking connect + poll). */
int step_connect(int fd, const struct sockaddr *sa, socklen_t len,
    int timeout_ms);

/* 7 send: send(2) with MSG_NOSIGNAL where the system has it. */
ssize_t step_send(int fd, const void *buf, size_t len);
/* 7 send: sendto(2), for datagrams. */
ssize_t step_sendto(int fd, const void *buf, size_t len,
    const struct sockaddr *to, socklen_t tolen);

/* 8 recv: recv(2); 0 means the peer closed its sending side. */
ssize_t step_recv(int fd, void *buf, size_t len);
/* 8 recv: recvfrom(2), for datagrams; the sender goes to from/fromlen. */
ssize_t step_recvfrom(int fd, void *buf, size_t len,
    struct sockaddr_storage *from, socklen_t *fromlen);

/* 9 close: shutdown(2) with SHUT_RD, SHUT_WR or SHUT_RDWR. */
int step_shutdown(int fd, int how);
/* 9 close: close(2). */
int step_close(int fd);

/* 2 setsockopt: SO_RCVTIMEO or SO_SNDTIMEO, a timeout in milliseconds. */
int step_setsockopt_timeout(int fd, int name, int ms);
/* 2 setsockopt: join a multicast group: IP_ADD_MEMBERSHIP (IPv4, on the
 * interface with address ifaddr, NULL for any) or IPV6_JOIN_GROUP (IPv6,
 * on interface index ifindex, 0 for the default). */
int step_join_group(int fd, const struct sockaddr *group,
    const struct sockaddr *ifaddr, unsigned ifindex);
/* 2 setsockopt: the interface multicast goes out on: IP_MULTICAST_IF
 * (IPv4, by address ifaddr) or IPV6_MULTICAST_IF (IPv6, by ifindex). */
int step_multicast_if(int fd, int family, const struct sockaddr *ifaddr,
    unsigned ifindex);

/* 1 socket: socketpair(2), two sockets already connected to each other;
 * their descriptors go into sv[0] and sv[1]. */
int step_socketpair(int domain, int type, int protocol, int sv[2]);

/* 7 send: sendmsg(2) with MSG_NOSIGNAL; the narration names the
 * ancillary data it carries (SCM_RIGHTS descriptors). */
ssize_t step_sendmsg(int fd, const struct msghdr *msg, int flags);
/* 8 recv: recvmsg(2); the narration names the ancillary data received
 * and says when it was cut short (MSG_CTRUNC). */
ssize_t step_recvmsg(int fd, struct msghdr *msg, int flags);

/* 2 getsockopt: the peer's credentials on a connected AF_UNIX socket:
 * SO_PEERCRED on Linux (pid, uid, gid), getpeereid() elsewhere (uid,
 * gid; *pid is then -1). 0, or -1 with errno. */
int step_peercred(int fd, long *pid, long *uid, long *gid);

#ifdef __linux__
/* 7 send / 8 recv (step says which): splice(2), which moves up to len
 * bytes from a pipe to fd, or from fd to a pipe, inside the kernel,
 * without copying them through the program; flags as for splice(2). */
ssize_t step_splice(int step, int from, int to, size_t len, unsigned flags);
#endif


/* The following wrappers serve non-blocking servers (mini-httpd). */
struct iovec;

/* 5 accept: accept a connection that is already non-blocking and
 * close-on-exec (accept4 on Linux, accept + fcntl elsewhere). EAGAIN is
 * narrated only at -v: it just means the queue is empty. */
int step_accept_nb(int fd, struct sockaddr_storage *peer, socklen_t *len);

/* 6 connect: start connect(2) on a non-blocking socket, for an event
 * loop: 0 if it is done at once, else -1 with errno EINPROGRESS while the
 * handshake goes on (narrated at -v as "not yet", not as a failure). When
 * the loop reports fd writable, the outcome is in SO_ERROR:
 * step_getsockopt_int(fd, SOL_SOCKET, SO_ERROR, &err). */
int step_connect_nb(int fd, const struct sockaddr *sa, socklen_t len);

/* 7 send: writev(2), several buffers in one call (a head and a body). */
ssize_t step_writev(int fd, const struct iovec *iov, int iovcnt);

/* 7 send: count bytes of file from *offset to socket sock, advancing
 * *offset: sendfile(2) on Linux (the kernel copies, no user buffer),
 * pread + send elsewhere. */
ssize_t step_sendfile(int sock, int file, off_t *offset, size_t count);

#endif
