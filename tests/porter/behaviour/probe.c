/* SPDX-License-Identifier: MIT */
/* probe: a stand-in daemon for the behaviour tests. It appends one JSON line
 * describing exactly what it was given (argv, environment, identity, process
 * attributes, fds, signal state) to a record file, then exits, stays, forks or
 * notifies as its leading --probe-* words ask. Strings are JSON with every
 * byte outside printable ASCII written as \u00XX, so the harness gets the
 * bytes back losslessly (decode, then encode as latin-1).
 *
 * Options (leading argv words, parsed until the first word that is not one;
 * they stay in the recorded argv):
 *   --probe-out=PATH     record file (default: $PROBE_OUT)
 *   --probe-tag=NAME     a label copied into the record
 *   --probe-exit=N       exit status (default 0)
 *   --probe-sleep=MS     sleep before exiting
 *   --probe-stay         stay running; record every signal received
 *   --probe-survive=L    with --probe-stay: comma list of signal names that are
 *                        recorded but do not end the process (others: recorded,
 *                        then the default action)
 *   --probe-fork         daemonize: the child (setsid) stays, the parent exits
 *   --probe-pidfile=P    with --probe-fork: the child writes its pid to P
 *   --probe-notify=MS    after MS, send READY=1 to $NOTIFY_SOCKET, record "ready"
 *   --probe-reload=SIG:MS with --probe-stay: on SIG (survived), send RELOADING=1
 *                        (with MONOTONIC_USEC=), after MS READY=1, record "reloaded"
 *                        (Type=notify-reload)
 *   --probe-print=TEXT   write TEXT and a newline to stdout
 *   --probe-eprint=TEXT  write TEXT and a newline to stderr
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct buf {
	char *p;
	size_t len, cap;
};

static void
die(const char *msg)
{
	fprintf(stderr, "probe: %s: %s\n", msg, strerror(errno));
	exit(111);
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			die("realloc");
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Appends a string literal (its length known at compile time). */
#define buf_lit(b, s) buf_add((b), (s), sizeof(s) - 1)

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		errno = EOVERFLOW;
		die("format");
	}
	buf_add(b, tmp, (size_t)n);
}

/* A JSON string of raw bytes: printable ASCII as is, everything else \u00XX. */
static void
buf_str(struct buf *b, const char *s, size_t n)
{
	buf_lit(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			buf_add(b, (const char *)&c, 1);
		else
			buf_printf(b, "\\u%04x", c);
	}
	buf_lit(b, "\"");
}

static void
buf_cstr(struct buf *b, const char *s)
{
	buf_str(b, s, strlen(s));
}

static long long
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The value of a "Key:\t..." line of /proc/self/status, without the tab. */
static void
status_field(const char *key, char *out, size_t outsz)
{
	char line[512];
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");
	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			char *v = line + klen + 1;
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(out, outsz, "%s", v);
			break;
		}
	}
	fclose(f);
}

static void
add_fds(struct buf *b)
{
	DIR *d = opendir("/proc/self/fd");
	bool first = true;
	if (!d)
		die("opendir /proc/self/fd");
	buf_lit(b, "{");
	for (struct dirent *e; (e = readdir(d));) {
		char target[PATH_MAX];
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		ssize_t n = readlinkat(dirfd(d), e->d_name, target, sizeof target - 1);
		if (n < 0)
			continue;
		buf_printf(b, "%s\"%s\":", first ? "" : ",", e->d_name);
		buf_str(b, target, (size_t)n);
		first = false;
	}
	closedir(d);
	buf_lit(b, "}");
}

/* The "flags:" of /proc/self/fdinfo/N of every fd >= 3 (octal open flags:
 * O_APPEND, O_RDONLY/O_RDWR of what OpenFile= passed). */
static void
add_fd_flags(struct buf *b)
{
	DIR *d = opendir("/proc/self/fdinfo");
	bool first = true;
	if (!d)
		die("opendir /proc/self/fdinfo");
	buf_lit(b, "{");
	for (struct dirent *e; (e = readdir(d));) {
		char path[288], line[256]; /* d_name is up to 255 bytes */
		if (e->d_name[0] == '.' || atoi(e->d_name) < 3 || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof path, "/proc/self/fdinfo/%s", e->d_name);
		FILE *f = fopen(path, "re");
		while (f && fgets(line, sizeof line, f))
			if (!strncmp(line, "flags:", 6)) {
				line[strcspn(line, "\n")] = '\0';
				buf_printf(b, "%s\"%s\":", first ? "" : ",", e->d_name);
				buf_cstr(b, line + 6 + strspn(line + 6, " \t"));
				first = false;
			}
		if (f)
			fclose(f);
	}
	closedir(d);
	buf_lit(b, "}");
}

/* $CREDENTIALS_DIRECTORY as the service sees it: the directory's mode and
 * owner, and per file its mode, owner and content (null when this process
 * cannot read it), or null when the variable is unset or the dir absent. */
static void
add_creds(struct buf *b)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	struct stat st;
	DIR *d;
	if (!dir || stat(dir, &st) < 0 || !(d = opendir(dir))) {
		buf_lit(b, "null");
		return;
	}
	buf_printf(b, "{\"mode\":\"%04o\",\"uid\":%u,\"gid\":%u,\"files\":{",
		   (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid);
	bool first = true;
	for (struct dirent *e; (e = readdir(d));) {
		char data[4096];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!first)
			buf_lit(b, ",");
		buf_cstr(b, e->d_name);
		buf_printf(b, ":{\"mode\":\"%04o\",\"uid\":%u,\"gid\":%u,\"data\":",
			   (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
			   (unsigned)st.st_gid);
		int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, data, sizeof data);
		if (n < 0)
			buf_lit(b, "null");
		else
			buf_str(b, data, (size_t)n);
		if (fd >= 0)
			close(fd);
		buf_lit(b, "}");
		first = false;
	}
	closedir(d);
	buf_lit(b, "}}");
}

static const struct {
	const char *name;
	int res;
} rlimits[] = {
	{ "CPU", RLIMIT_CPU },		 { "FSIZE", RLIMIT_FSIZE },
	{ "DATA", RLIMIT_DATA },	 { "STACK", RLIMIT_STACK },
	{ "CORE", RLIMIT_CORE },	 { "RSS", RLIMIT_RSS },
	{ "NPROC", RLIMIT_NPROC },	 { "NOFILE", RLIMIT_NOFILE },
	{ "MEMLOCK", RLIMIT_MEMLOCK },	 { "AS", RLIMIT_AS },
	{ "LOCKS", RLIMIT_LOCKS },	 { "SIGPENDING", RLIMIT_SIGPENDING },
	{ "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE },
	{ "RTPRIO", RLIMIT_RTPRIO },	 { "RTTIME", RLIMIT_RTTIME },
};

static void
add_rlim_value(struct buf *b, rlim_t v)
{
	if (v == RLIM_INFINITY)
		buf_lit(b, "\"infinity\"");
	else
		buf_printf(b, "%llu", (unsigned long long)v);
}

static void
add_rlimits(struct buf *b)
{
	buf_lit(b, "{");
	for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++) {
		struct rlimit rl;
		if (getrlimit(rlimits[i].res, &rl) < 0)
			die("getrlimit");
		buf_printf(b, "%s\"%s\":[", i ? "," : "", rlimits[i].name);
		add_rlim_value(b, rl.rlim_cur);
		buf_lit(b, ",");
		add_rlim_value(b, rl.rlim_max);
		buf_lit(b, "]");
	}
	buf_lit(b, "}");
}

static void
add_groups(struct buf *b)
{
	gid_t g[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, g);
	if (n < 0)
		die("getgroups");
	buf_lit(b, "[");
	for (int i = 0; i < n; i++)
		buf_printf(b, "%s%u", i ? "," : "", (unsigned)g[i]);
	buf_lit(b, "]");
}

static void
add_string_list(struct buf *b, char **v, int n)
{
	buf_lit(b, "[");
	for (int i = 0; v[i] && (n < 0 || i < n); i++) {
		if (i)
			buf_lit(b, ",");
		buf_cstr(b, v[i]);
	}
	buf_lit(b, "]");
}

static void
add_file_value(struct buf *b, const char *path)
{
	char v[128] = "";
	FILE *f = fopen(path, "re");
	if (f) {
		if (!fgets(v, sizeof v, f))
			v[0] = '\0';
		fclose(f);
	}
	v[strcspn(v, "\n")] = '\0';
	buf_cstr(b, v);
}

static void
append_line(const char *out, struct buf *b)
{
	buf_lit(b, "\n");
	int fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		die(out);
	/* One write: O_APPEND keeps concurrent records (ExecStop while the main
	 * process logs a signal) from interleaving. */
	if (write(fd, b->p, b->len) != (ssize_t)b->len)
		die("write record");
	close(fd);
}

static void
record_start(const char *out, const char *tag, int argc, char **argv)
{
	struct buf b = { 0 };
	char cwd[PATH_MAX], field[256];
	/* Collected before the record file is opened so it is not among the fds. */
	buf_lit(&b, "{\"event\":\"start\",\"tag\":");
	buf_cstr(&b, tag);
	buf_printf(&b, ",\"t\":%lld,\"pid\":%d,\"ppid\":%d,\"pgid\":%d,\"sid\":%d", now_ns(),
		   (int)getpid(), (int)getppid(), (int)getpgrp(), (int)getsid(0));
	buf_lit(&b, ",\"argv\":");
	add_string_list(&b, argv, argc);
	buf_lit(&b, ",\"env\":");
	add_string_list(&b, environ, -1);
	buf_printf(&b, ",\"uid\":%u,\"gid\":%u,\"euid\":%u,\"egid\":%u", (unsigned)getuid(),
		   (unsigned)getgid(), (unsigned)geteuid(), (unsigned)getegid());
	buf_lit(&b, ",\"groups\":");
	add_groups(&b);
	buf_lit(&b, ",\"cwd\":");
	if (getcwd(cwd, sizeof cwd))
		buf_cstr(&b, cwd);
	else
		buf_lit(&b, "null");
	status_field("Umask", field, sizeof field);
	buf_lit(&b, ",\"umask\":");
	buf_cstr(&b, field);
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	buf_printf(&b, ",\"nice\":%d", errno ? 99 : nice);
	buf_lit(&b, ",\"rlimits\":");
	add_rlimits(&b);
	buf_lit(&b, ",\"fds\":");
	add_fds(&b);
	buf_lit(&b, ",\"fdflags\":");
	add_fd_flags(&b);
	buf_lit(&b, ",\"creds\":");
	add_creds(&b);
	status_field("SigBlk", field, sizeof field);
	buf_lit(&b, ",\"sigblk\":");
	buf_cstr(&b, field);
	status_field("SigIgn", field, sizeof field);
	buf_lit(&b, ",\"sigign\":");
	buf_cstr(&b, field);
	buf_lit(&b, ",\"oom_score_adj\":");
	add_file_value(&b, "/proc/self/oom_score_adj");
	buf_lit(&b, "}");
	append_line(out, &b);
	free(b.p);
}

static void
record_event(const char *out, const char *tag, const char *event, const char *extra)
{
	struct buf b = { 0 };
	buf_lit(&b, "{\"event\":");
	buf_cstr(&b, event);
	buf_lit(&b, ",\"tag\":");
	buf_cstr(&b, tag);
	buf_printf(&b, ",\"t\":%lld,\"pid\":%d,\"ppid\":%d%s}", now_ns(), (int)getpid(),
		   (int)getppid(), extra ? extra : "");
	append_line(out, &b);
	free(b.p);
}

/* Signal recording: the handler only uses async-signal-safe calls. */
static int sig_fd = -1;
static char sig_tag[64];
static sigset_t survive;
static int reload_sig;
static long reload_ms;
static volatile sig_atomic_t reload_pending;

static void
on_signal(int sig, siginfo_t *si, void *ctx)
{
	char line[256];
	struct timespec ts;
	int saved = errno;
	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int n = snprintf(line, sizeof line,
			 "{\"event\":\"signal\",\"tag\":\"%s\",\"t\":%lld,\"pid\":%d,\"sig\":%d,"
			 "\"name\":\"%s\",\"from\":%d}\n",
			 sig_tag, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, (int)getpid(),
			 sig, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", (int)si->si_pid);
	if (n > 0 && write(sig_fd, line, (size_t)n) < 0) {
		/* nothing sensible to do inside a handler */
	}
	if (sig == reload_sig) {
		reload_pending = 1;
		errno = saved;
		return;
	}
	if (!sigismember(&survive, sig)) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	errno = saved;
}

static int notify_send(const char *msg);

/* Type=notify-reload's side of a reload, outside the signal handler. */
static void
reload(const char *out, const char *tag)
{
	char msg[96], extra[64];
	struct timespec ts;
	reload_pending = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%lld",
		 (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000);
	int r = notify_send(msg);
	sleep_ms(reload_ms);
	if (r == 0)
		r = notify_send("READY=1");
	snprintf(extra, sizeof extra, ",\"result\":%d", r);
	record_event(out, tag, "reloaded", extra);
}

static void
stay(const char *out, const char *tag)
{
	struct sigaction sa;
	snprintf(sig_tag, sizeof sig_tag, "%s", tag);
	sig_fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (sig_fd < 0)
		die(out);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++) {
		if (s == SIGKILL || s == SIGSTOP || s == SIGCHLD || s == SIGSEGV || s == SIGBUS ||
		    s == SIGFPE || s == SIGILL || s == SIGABRT || s == SIGTRAP || s == SIGSYS)
			continue;
		if (s >= 32 && s < SIGRTMIN)
			continue;
		sigaction(s, &sa, NULL);
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (;;) {
		pause();
		if (reload_pending)
			reload(out, tag);
	}
}

static int
notify_send(const char *msg)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (!sock || !*sock || strlen(sock) >= sizeof sa.sun_path)
		return -EINVAL;
	memcpy(sa.sun_path, sock, strlen(sock));
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sock));
	if (sock[0] == '@')
		sa.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int r = sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, len) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int
notify_ready(long delay_ms)
{
	sleep_ms(delay_ms);
	return notify_send("READY=1\nSTATUS=probe ready");
}

static const char *
opt(const char *word, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(word, name, n) != 0)
		return NULL;
	if (word[n] == '=')
		return word + n + 1;
	return word[n] == '\0' ? "" : NULL;
}

int
main(int argc, char **argv)
{
	const char *out = getenv("PROBE_OUT"), *tag = "", *pidfile = NULL, *v;
	const char *print = NULL, *eprint = NULL, *survive_list = "";
	int exit_code = 0;
	long sleep_ms_v = 0, notify_ms = -1;
	bool do_stay = false, do_fork = false;

	for (int i = 1; i < argc && strncmp(argv[i], "--probe-", 8) == 0; i++) {
		if ((v = opt(argv[i], "--probe-out")))
			out = v;
		else if ((v = opt(argv[i], "--probe-tag")))
			tag = v;
		else if ((v = opt(argv[i], "--probe-exit")))
			exit_code = atoi(v);
		else if ((v = opt(argv[i], "--probe-sleep")))
			sleep_ms_v = atol(v);
		else if ((v = opt(argv[i], "--probe-stay")))
			do_stay = true;
		else if ((v = opt(argv[i], "--probe-survive")))
			survive_list = v;
		else if ((v = opt(argv[i], "--probe-fork")))
			do_fork = true;
		else if ((v = opt(argv[i], "--probe-pidfile")))
			pidfile = v;
		else if ((v = opt(argv[i], "--probe-notify")))
			notify_ms = atol(v);
		else if ((v = opt(argv[i], "--probe-reload"))) {
			char name[16] = "";
			sscanf(v, "%15[^:]:%ld", name, &reload_ms);
			for (int n = 1; n < NSIG; n++)
				if (sigabbrev_np(n) && strcmp(sigabbrev_np(n), name) == 0)
					reload_sig = n;
		} else if ((v = opt(argv[i], "--probe-print")))
			print = v;
		else if ((v = opt(argv[i], "--probe-eprint")))
			eprint = v;
		else
			break;
	}
	if (!out || !*out) {
		fprintf(stderr, "probe: no record file (--probe-out= or $PROBE_OUT)\n");
		return 111;
	}
	record_start(out, tag, argc, argv);
	if (print)
		printf("%s\n", print), fflush(stdout);
	if (eprint)
		fprintf(stderr, "%s\n", eprint);

	sigemptyset(&survive);
	for (char *list = strdup(survive_list), *save = NULL, *s = strtok_r(list, ",", &save); s;
	     s = strtok_r(NULL, ",", &save)) {
		for (int n = 1; n < NSIG; n++)
			if (sigabbrev_np(n) && strcmp(sigabbrev_np(n), s) == 0)
				sigaddset(&survive, n);
	}

	if (do_fork) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid > 0) {
			/* Recorded by the parent: the child may be killed before it
			 * gets to record anything (a failed forking start). */
			char extra[64];
			snprintf(extra, sizeof extra, ",\"child\":%d", (int)pid);
			record_event(out, tag, "forked", extra);
			sleep_ms(sleep_ms_v);
			return exit_code;
		}
		setsid();
		if (pidfile) {
			char tmp[PATH_MAX], num[32];
			snprintf(tmp, sizeof tmp, "%s.tmp", pidfile);
			int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			int n = snprintf(num, sizeof num, "%d\n", (int)getpid());
			if (fd < 0 || write(fd, num, (size_t)n) != n || close(fd) < 0 ||
			    rename(tmp, pidfile) < 0)
				die(pidfile);
		}
		record_event(out, tag, "daemon", NULL);
		stay(out, tag);
	}
	if (notify_ms >= 0) {
		char extra[64];
		int r = notify_ready(notify_ms);
		snprintf(extra, sizeof extra, ",\"result\":%d", r);
		record_event(out, tag, "ready", extra);
	}
	if (do_stay)
		stay(out, tag);
	sleep_ms(sleep_ms_v);
	return exit_code;
}
