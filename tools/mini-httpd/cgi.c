/*
 * cgi.c - running CGI scripts (RFC 3875): which paths are scripts, the
 * fork and exec with a clean environment, and the end of every script:
 * killed with its whole process group when the client is done with it,
 * reaped when SIGCHLD says so (a self-pipe on the loop), never a zombie.
 * Reading their output is cgi_io.c; their environment, cgi_env.c.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "cgi.h"
#include "config.h"
#include "conn.h"
#include "files.h"
#include "step.h"
#include "trace.h"

/* The write end of the SIGCHLD self-pipe (the handler's only state). */
static int chld_write = -1;

/* The --cgi interpreter for a name by its extension, or NULL. */
static const char *
interpreter(const struct httpd_config *cfg, const char *name, size_t n)
{
	int i;

	for (i = 0; i < cfg->ncgi; i++)
		if (n > cfg->cgi[i].ext_len && strncmp(name + n -
		    cfg->cgi[i].ext_len, cfg->cgi[i].ext, cfg->cgi[i].ext_len) == 0)
			return cfg->cgi[i].interp;
	return NULL;
}

/* Whether rel[0..n) may be a script: inside --cgi-bin if there is one,
 * else with a --cgi extension; never in the upload area. */
static int
may_be_script(const struct httpd_config *cfg, const char *rel, size_t n)
{
	char part[PATH_MAX];

	memcpy(part, rel, n);
	part[n] = '\0';
	if (config_in_area(&cfg->upload, part))
		return 0;
	if (cfg->cgi_bin.fd >= 0)
		return config_in_area(&cfg->cgi_bin, part) &&
		    n > strlen(cfg->cgi_bin.rel);
	return interpreter(cfg, rel, n) != NULL;
}

/* The script at rel[0..n), open on fd: check where it really is and
 * how it runs; 1 with *out filled, or 403. */
static int
found(const struct httpd_config *cfg, const char *rel, size_t n,
    struct cgi **out)
{
	const struct area *bin = &cfg->cgi_bin, *up = &cfg->upload;
	char path[PATH_MAX + 8];
	struct cgi *g;
	size_t len;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return 500;
	g->pid = 0;
	g->out = g->err = -1;
	snprintf(path, sizeof(path), "%s/%.*s", cfg->root_real, (int)n, rel);
	/* Symlinks included: run only what really is where scripts are. */
	if (realpath(path, g->real) == NULL ||
	    (bin->fd >= 0 && (strncmp(g->real, bin->real, len =
	    strlen(bin->real)) != 0 || g->real[len] != '/')) ||
	    (up->fd >= 0 && strncmp(g->real, up->real, len =
	    strlen(up->real)) == 0 && (g->real[len] == '/' ||
	    g->real[len] == '\0'))) {
		free(g);
		return 403;
	}
	g->interp = interpreter(cfg, rel, n);
	if (g->interp == NULL && access(g->real, X_OK) < 0) {
		free(g);
		return 403;	/* not runnable: its source is never served */
	}
	snprintf(g->name, sizeof(g->name), "/%.*s", (int)n, rel);
	snprintf(g->path_info, sizeof(g->path_info), "%s", rel + n);
	*out = g;
	return 1;
}

/* Whether rel names a script or a path below one (see cgi.h). */
int
cgi_find(const struct httpd_config *cfg, const char *rel, struct cgi **out)
{
	char part[PATH_MAX];
	struct stat st;
	size_t n;
	int fd, status;

	if (cfg->ncgi == 0 && cfg->cgi_bin.fd < 0)
		return 0;
	/* Each prefix ending at a '/' (or the end) may be the script;
	 * what follows it is PATH_INFO (RFC 3875 4.1.5). */
	for (n = 1; n <= strlen(rel); n++) {
		if (rel[n] != '/' && rel[n] != '\0')
			continue;
		if (!may_be_script(cfg, rel, n))
			continue;
		memcpy(part, rel, n);
		part[n] = '\0';
		if ((status = files_open(cfg, part, &fd)) != 0)
			return status == 404 ? 0 : status;
		if (fstat(fd, &st) < 0) {
			close(fd);
			return 500;
		}
		close(fd);
		if (S_ISREG(st.st_mode))
			return found(cfg, rel, n, out);
		if (!S_ISDIR(st.st_mode))
			return 403;
	}
	return 0;
}

/* In the child: stdin, stdout, stderr in place, every other descriptor
 * closed, default signals, its own process group; then exec. Only
 * async-signal-safe calls here (we forked a running server). */
static void
exec_script(const struct cgi *g, int body, int out, int err, char **argv,
    char **envp)
{
	int in = body >= 0 ? body : open("/dev/null", O_RDONLY);

	setpgid(0, 0);
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* the server died: so does it */
#endif
	signal(SIGPIPE, SIG_DFL);	/* ignored dispositions survive exec */
	if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
#if defined(__linux__) && defined(SYS_close_range)
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
#endif
	{
		long fd, max = sysconf(_SC_OPEN_MAX);

		for (fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			close((int)fd);
	}
	/* RFC 3875 7.2: the script's directory is its working directory. */
	{
		char dir[PATH_MAX];
		size_t n = (size_t)(strrchr(g->real, '/') - g->real);

		memcpy(dir, g->real, n);
		dir[n > 0 ? n : 1] = '\0';
		if (n == 0)
			dir[0] = '/';
		if (chdir(dir) < 0)
			_exit(127);
	}
	execve(argv[0], argv, envp);
	_exit(127);
}

/* An array of pointers to the NUL-ended strings in b, plus one more
 * (CONTENT_LENGTH) if extra is not NULL; NULL-ended, or NULL. */
static char **
env_array(struct growbuf *b, char *extra)
{
	size_t i, n = 0, k = 0;
	char **v;

	for (i = 0; i < b->len; i++)
		n += b->p[i] == '\0';
	if ((v = calloc(n + 2, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < b->len; i += strlen(b->p + i) + 1)
		v[k++] = b->p + i;
	if (extra != NULL)
		v[k++] = extra;
	v[k] = NULL;
	return v;
}

/* Run g for c (see cgi.h). */
int
cgi_start(struct server *s, struct conn *c, struct cgi *g, int body,
    long long body_len)
{
	char length[40], *argv[3], **envp;
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, e;
	pid_t pid;

	snprintf(length, sizeof(length), "CONTENT_LENGTH=%lld", body_len);
	if ((envp = env_array(&g->env, body_len >= 0 ? length : NULL)) == NULL)
		return -1;
	argv[0] = (char *)(g->interp != NULL ? g->interp : g->real);
	argv[1] = g->interp != NULL ? g->real : NULL;
	argv[2] = NULL;
	if (pipe(out) < 0 || pipe(err) < 0)
		goto fail;
	pid = fork();
	if (pid == 0)
		exec_script(g, body, out[1], err[1], argv, envp);
	if (pid < 0)
		goto fail;
	setpgid(pid, pid);	/* also here: no race with an early kill */
	trace_event("fork", "fork() = %d, exec %s%s%s", (int)pid, argv[0],
	    argv[1] ? " " : "", argv[1] ? argv[1] : "");
	free(envp);
	close(out[1]);
	close(err[1]);
	g->pid = pid;
	g->out = out[0];
	g->err = err[0];
	g->srv = s;
	g->conn = c;
	g->next = s->scripts;
	s->scripts = g;
	/* The loop reads the script's output: never block on it. */
	fcntl(g->out, F_SETFD, FD_CLOEXEC);
	fcntl(g->err, F_SETFD, FD_CLOEXEC);
	fcntl(g->out, F_SETFL, O_NONBLOCK);
	fcntl(g->err, F_SETFL, O_NONBLOCK);
	if (loop_add(s->loop, g->out, LOOP_READ, cgi_on_out, g) < 0 ||
	    loop_add(s->loop, g->err, LOOP_READ, cgi_on_err, g) < 0)
		return -1;	/* the caller releases g: killed, reaped */
	return 0;
fail:
	e = errno;
	free(envp);
	close(out[0]);
	close(out[1]);
	close(err[0]);
	close(err[1]);
	errno = e;
	return -1;
}

/* Stop reading fd (a pipe of g's) and close it. */
void
cgi_close_pipe(struct server *s, int *fd)
{
	if (*fd < 0)
		return;
	loop_del(s->loop, *fd);
	close(*fd);
	*fd = -1;
}

/* Take g off the server's list and free it. */
static void
forget(struct server *s, struct cgi *g)
{
	struct cgi **p;

	for (p = &s->scripts; *p != NULL; p = &(*p)->next)
		if (*p == g) {
			*p = g->next;
			break;
		}
	free(g->env.p);
	free(g);
}

/* The client is done with g (see cgi.h). */
void
cgi_release(struct server *s, struct cgi *g)
{
	if (g->srv == NULL) {	/* never started */
		free(g->env.p);
		free(g);
		return;
	}
	g->conn = NULL;
	cgi_close_pipe(s, &g->out);
	cgi_close_pipe(s, &g->err);
	/* A script's work ends with its response: the whole group goes,
	 * helpers it started included. Reaped on its SIGCHLD. */
	if (g->pid > 0)
		kill(-g->pid, SIGKILL);
	else
		forget(s, g);
}

/* Note each script that has ended; free those the client is done with. */
static void
reap(struct server *s)
{
	struct cgi *g, *next;
	pid_t r;
	int st;

	for (g = s->scripts; g != NULL; g = next) {
		next = g->next;
		if (g->pid <= 0)
			continue;
		r = waitpid(g->pid, &st, WNOHANG);
		if (r == 0 || (r < 0 && errno != ECHILD))
			continue;
		trace_event("wait", "waitpid(%d) = %d, %s %d", (int)g->pid,
		    (int)r, r > 0 && WIFSIGNALED(st) ? "signal" : "exit",
		    r > 0 && WIFSIGNALED(st) ? WTERMSIG(st) :
		    r > 0 ? WEXITSTATUS(st) : -1);
		g->pid = 0;
		if (g->conn == NULL)
			forget(s, g);
	}
}

/* SIGCHLD: wake the loop; the reaping happens there. */
static void
on_sigchld(int sig)
{
	int saved = errno;
	char b = (char)sig;

	if (write(chld_write, &b, 1) < 0) {
		/* The pipe is full: a wake-up is already pending. */
	}
	errno = saved;
}

/* The self-pipe is readable: drain it, then reap. */
static void
on_chld_pipe(struct loop *l, int fd, int events, void *ctx)
{
	char buf[64];

	(void)l;
	(void)events;
	while (read(fd, buf, sizeof(buf)) > 0)
		continue;
	reap(ctx);
}

/* Watch for ended scripts (see cgi.h). */
int
cgi_init(struct server *s)
{
	struct sigaction sa;
	int p[2], i;

	s->chld_read = -1;
	if (s->cfg->ncgi == 0 && s->cfg->cgi_bin.fd < 0)
		return 0;
	if (pipe(p) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(p[i], F_SETFD, FD_CLOEXEC);
		fcntl(p[i], F_SETFL, O_NONBLOCK);
	}
	s->chld_read = p[0];
	chld_write = p[1];
	if (loop_add(s->loop, p[0], LOOP_READ, on_chld_pipe, s) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGCHLD, &sa, NULL);
}

/* Kill every script still running and wait for them (see cgi.h). */
void
cgi_shutdown(struct server *s)
{
	struct cgi *g;

	while ((g = s->scripts) != NULL) {
		cgi_close_pipe(s, &g->out);
		cgi_close_pipe(s, &g->err);
		if (g->pid > 0) {
			kill(-g->pid, SIGKILL);
			waitpid(g->pid, NULL, 0);
		}
		s->scripts = g->next;
		free(g->env.p);
		free(g);
	}
	if (s->chld_read >= 0) {
		loop_del(s->loop, s->chld_read);
		close(s->chld_read);
		close(chld_write);
		s->chld_read = chld_write = -1;
	}
}
