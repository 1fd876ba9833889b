/* SPDX-License-Identifier: MIT */
/* klein-svc listen: a socket unit's fd holder (Accept=no); services fetch dups of its sockets. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd.h"
#include "fdpass.h"
#include "listen.h"

enum { OPT_CONTROL = 1024 };

/* One name per fd, joined by ':' (LISTEN_FDNAMES): FileDescriptorName= or the unit name. */
static char *
fd_names(const struct listen_spec *s)
{
	const char *name = s->fdname ? s->fdname : s->name;
	size_t len = strlen(name) + 1;
	char *out = xmalloc(len * s->n_ports + 1);
	out[0] = '\0';
	for (size_t i = 0; i < s->n_ports; i++) {
		if (i)
			strcat(out, ":");
		strcat(out, name);
	}
	return out;
}

/* The control socket, bound under a temporary name and renamed into place so
 * that a client that can connect always finds every listening socket open. */
static int
bind_control(const char *path)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	char *tmp = xstrjoin3(path, ".tmp", NULL);
	int fd = -1, r = 0;
	if (strlen(tmp) >= sizeof(un.sun_path)) {
		r = -ENAMETOOLONG;
		goto out;
	}
	strcpy(un.sun_path, tmp);
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
			*p = '\0';
			(void)mkdir(dir, 0755);
			*p = '/';
		}
		(void)mkdir(dir, 0700);
	}
	free(dir);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	(void)unlink(tmp);
	mode_t old = umask(0077);
	if (fd < 0 || bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0 || listen(fd, 64) < 0 ||
	    rename(tmp, path) < 0)
		r = -errno;
	umask(old);
out:
	if (r < 0) {
		log_error("cannot create the control socket %s: %s", path, strerror(-r));
		if (fd >= 0)
			close(fd);
		(void)unlink(tmp);
		fd = r;
	}
	free(tmp);
	return fd;
}

static void
serve(int ctl, const struct listen_spec *s, const char *names)
{
	int fds[LISTEN_MAX_PORTS];
	for (size_t i = 0; i < s->n_ports; i++)
		fds[i] = s->ports[i].fd;
	for (;;) {
		int c = accept4(ctl, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			return;
		int r = fdpass_send(c, fds, s->n_ports, names);
		if (r < 0)
			log_error("cannot pass the sockets: %s", strerror(-r));
		close(c);
	}
}

static int
run_holder(struct listen_spec *s, const char *control)
{
	int sfd = signalfd_block((const int[]){ SIGTERM, SIGINT, SIGQUIT, SIGHUP, 0 });
	if (sfd < 0 || listen_open_all(s) < 0)
		return 1;
	int ctl = bind_control(control);
	if (ctl < 0) {
		listen_close_all(s);
		return 1;
	}
	char *names = fd_names(s);
	for (bool done = false; !done;) {
		struct pollfd p[2] = { { .fd = ctl, .events = POLLIN },
				       { .fd = sfd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			serve(ctl, s, names);
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			/* HUP: nothing to reload; the sockets stay as they are. */
			if (si.ssi_signo != SIGHUP)
				done = true;
	}
	free(names);
	(void)unlink(control);
	close(ctl);
	close(sfd);
	listen_close_all(s);
	return 0;
}

int
cmd_listen(int argc, char **argv)
{
	static const struct option own[] = {
		{ "control", required_argument, NULL, OPT_CONTROL },
	};
	struct option *opts = listen_build_options(own, 1);
	struct listen_spec s;
	const char *control = NULL;
	int c, ret = SVC_EXIT_USAGE;
	listen_spec_init(&s);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == OPT_CONTROL)
			control = optarg;
		else if (c == '?' || listen_spec_option(&s, c, optarg) < 0)
			goto out;
	}
	if (optind != argc || !control || control[0] != '/' || s.n_ports == 0 ||
	    (!s.name && !s.fdname)) {
		log_error("usage: klein-svc listen --control PATH --name UNIT LISTEN-OPTIONS...");
		goto out;
	}
	ret = run_holder(&s, control);
out:
	listen_spec_done(&s);
	free(opts);
	return ret;
}
