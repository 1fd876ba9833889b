/* SPDX-License-Identifier: MIT */
/* klein-svc supervise: Type=forking and Type=notify under runsv, as a subreaper. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "notify.h"
#include "pidfile.h"
#include "proc.h"
#include "reload.h"
#include "util.h"

#include "lib/values.h"

#define DEFAULT_TIMEOUT_USEC (90ULL * 1000000ULL) /* systemd's DefaultTimeoutStartSec */
#define POLL_MS		     100		  /* pidfile and alien-pid polling */
#define DRAIN_USEC	     (5ULL * 1000000ULL)  /* leftovers: TERM, then KILL after this */
#define STATUS_FILE_NAME     "klein.status"	  /* default: next to the ready file */
#define TIMEOUT_FILE_NAME    "klein.timeout"	  /* next to the ready file */

enum sv_type { SV_FORKING, SV_NOTIFY };
enum sv_phase { PH_START, PH_PIDFILE, PH_RUNNING, PH_DONE };

struct sv {
	enum sv_type type;
	enum sv_phase phase;
	const char *pidfile, *ready_file, *mainpid_file, *notify_arg;
	char *status_file;
	char *reload_file; /* notify: supervise/klein.reload, for klein-svc reload */
	struct reload_state reload;
	char status_text[256];
	int status_errno;
	uint64_t timeout, deadline, stop_timeout;
	int sfd, nfd, pidfd;
	int nfd_padded; /* the abstract name padded to sun_path's size (notify.h) */
	sigset_t oldmask;
	pid_t start_pid, main_pid;
	pid_t refused_pid; /* the last pid the pidfile named and we refused */
	bool main_alien, group_mode, ready;
	int exit_code, exit_signal; /* exit_signal: the status was "killed by" it */
	char notify_name[108];
	struct sockaddr_un notify_addr;
	socklen_t notify_len;
};

static const int sync_signals[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS };

/* Records a wait status as ours: its code, and the signal to re-raise. */
static void
set_exit(struct sv *s, int status)
{
	s->exit_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	s->exit_code = s->exit_signal	   ? 128 + s->exit_signal
		       : WIFEXITED(status) ? WEXITSTATUS(status)
					   : 1;
}

static void
set_exit_code(struct sv *s, int code)
{
	s->exit_code = code;
	s->exit_signal = 0;
}

static int
wait_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static void
set_ready(struct sv *s, bool ready)
{
	if (s->ready == ready || !s->ready_file)
		goto out;
	if (ready) {
		int r = write_file_atomic(s->ready_file, "");
		if (r < 0)
			log_error("cannot create '%s': %s", s->ready_file, strerror(-r));
	} else
		(void)unlink(s->ready_file);
out:
	s->ready = ready;
}

static void
write_mainpid(const struct sv *s)
{
	char buf[32];
	if (!s->mainpid_file)
		return;
	/* Until (or unless) a single main pid is known, our own pid: we forward
	 * every signal, so "kill $MAINPID" still reaches the service. */
	snprintf(buf, sizeof(buf), "%ld\n", (long)(s->main_pid > 0 ? s->main_pid : getpid()));
	int r = write_file_atomic(s->mainpid_file, buf);
	if (r < 0)
		log_error("cannot write '%s': %s", s->mainpid_file, strerror(-r));
}

static int
pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static void
set_main(struct sv *s, pid_t pid)
{
	struct proc_stat st;
	if (s->pidfd >= 0) {
		close(s->pidfd);
		s->pidfd = -1;
	}
	s->main_pid = pid;
	s->group_mode = false;
	/* A daemon that double-forked was reparented to us (subreaper), so it
	 * is our child; anything else is watched with a pidfd or /proc. */
	s->main_alien = proc_stat_read(pid, &st) == 0 && st.ppid != getpid();
	if (s->main_alien)
		s->pidfd = pidfd_open_compat(pid);
	write_mainpid(s);
}

/* Signals our children, or with all, every descendant. */
static void
signal_children(int sig, bool all)
{
	struct pidlist l = { 0 };
	proc_children(getpid(), all, &l);
	for (size_t i = 0; i < l.n; i++)
		(void)kill(l.v[i], sig);
	pidlist_done(&l);
}

static void
forward(const struct sv *s, int sig)
{
	pid_t target = s->main_pid > 0 ? s->main_pid : s->start_pid;
	if (s->group_mode || target <= 0) {
		signal_children(sig, false);
		return;
	}
	if (kill(target, sig) < 0 && errno != ESRCH)
		log_error("warning: forwarding signal %d to %ld: %s", sig, (long)target,
			  strerror(errno));
}

/* Reaps every exited child; notes the start and main processes. */
static void
reap(struct sv *s)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == s->start_pid && s->phase == PH_START && s->type == SV_FORKING) {
			s->start_pid = 0;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				log_error("start command failed (status %d)", wait_code(status));
				set_exit(s, status);
				s->phase = PH_DONE;
			} else
				s->phase = s->pidfile ? PH_PIDFILE : PH_RUNNING;
		} else if (pid == s->main_pid) {
			set_exit(s, status);
			s->main_pid = 0;
		}
	}
}

/* Reads the pidfile; the pid if it names a live process other than old
 * that may be the main process (pidfile.h; a refusal is logged once per
 * pid, and the file keeps being watched, as systemd does). */
static pid_t
read_pidfile(struct sv *s, pid_t old)
{
	struct pidfile pf;

	if (pidfile_read(s->pidfile, &pf) < 0 || pf.pid == old || !proc_alive(pf.pid))
		return 0;
	switch (pidfile_check(&pf, getpid())) {
	case PIDFILE_OK:
		return pf.pid;
	case PIDFILE_SELF:
		if (pf.pid != s->refused_pid)
			log_error("New main PID %ld is the manager itself, refusing.",
				  (long)pf.pid);
		break;
	case PIDFILE_UNSAFE_CHAIN:
		if (pf.pid != s->refused_pid)
			log_error("Refusing to accept PID outside of service control group, "
				  "acquired through unsafe symlink chain: %s",
				  s->pidfile);
		break;
	case PIDFILE_NOT_ROOT:
		if (pf.pid != s->refused_pid)
			log_error("New main PID %ld does not belong to service, and PID file is "
				  "not owned by root. Refusing.",
				  (long)pf.pid);
		break;
	}
	s->refused_pid = pf.pid;
	return 0;
}

/* After the forking start command exited 0 without a pidfile: systemd's
 * GuessMainPID: the one remaining process, else all of them as a group. */
static void
guess_main(struct sv *s)
{
	struct pidlist l = { 0 };
	proc_children(getpid(), false, &l);
	if (l.n == 0) {
		set_exit_code(s, 0);
		s->phase = PH_DONE;
	} else if (l.n == 1)
		set_main(s, l.v[0]);
	else {
		s->group_mode = true;
		write_mainpid(s);
	}
	pidlist_done(&l);
	if (s->phase != PH_DONE)
		set_ready(s, true);
}

static bool
alien_gone(const struct sv *s)
{
	if (s->pidfd >= 0) {
		struct pollfd p = { .fd = s->pidfd, .events = POLLIN };
		return poll(&p, 1, 0) > 0;
	}
	return !proc_alive(s->main_pid);
}

/* Decides what the events so far mean; called after every wakeup. */
static void
step(struct sv *s)
{
	if (s->phase == PH_PIDFILE) {
		pid_t pid = read_pidfile(s, 0);
		if (pid > 0) {
			set_main(s, pid);
			set_ready(s, true);
			s->phase = PH_RUNNING;
		}
	} else if (s->phase == PH_RUNNING && s->type == SV_FORKING && !s->main_pid &&
		   !s->group_mode && !s->ready)
		guess_main(s);
	if (s->phase != PH_RUNNING)
		return;
	if (s->main_pid > 0 && s->main_alien && alien_gone(s)) {
		/* Not our child: its status is unknown, as for systemd. */
		set_exit_code(s, 0);
		s->main_pid = 0;
	}
	if (s->group_mode) {
		struct pidlist l = { 0 };
		proc_children(getpid(), false, &l);
		if (l.n == 0) {
			set_exit_code(s, 0);
			s->phase = PH_DONE;
		}
		pidlist_done(&l);
	} else if (s->main_pid == 0 && (s->type == SV_NOTIFY || s->ready)) {
		/* The main process is gone; a daemon that re-exec'd (nginx's
		 * binary upgrade) left its successor's pid in the pidfile. */
		pid_t next = s->pidfile ? read_pidfile(s, 0) : 0;
		if (next > 0)
			set_main(s, next);
		else
			s->phase = PH_DONE;
	}
}

/* STATUS= and ERRNO= as the service last reported them (systemctl's
 * StatusText= and StatusErrno=), one KEY=VALUE line each. */
static void
write_status(struct sv *s, const struct notify_msg *m)
{
	if (!s->status_file)
		return;
	if (m->has_status)
		snprintf(s->status_text, sizeof(s->status_text), "%s", m->status);
	if (m->errno_value >= 0)
		s->status_errno = m->errno_value;
	char buf[sizeof(s->status_text) + 64];
	char *nl;
	/* A newline cannot occur (it separates the datagram's lines), but a
	 * CR would garble a line-based reader. */
	while ((nl = strchr(s->status_text, '\r')))
		*nl = ' ';
	if (s->status_errno >= 0)
		snprintf(buf, sizeof(buf), "STATUS=%s\nERRNO=%d\n", s->status_text,
			 s->status_errno);
	else
		snprintf(buf, sizeof(buf), "STATUS=%s\n", s->status_text);
	int r = write_file_atomic(s->status_file, buf);
	if (r < 0)
		log_error("cannot write '%s': %s", s->status_file, strerror(-r));
}

static void
write_reload(const struct sv *s)
{
	char buf[128];
	if (!s->reload_file)
		return;
	reload_state_format(&s->reload, buf, sizeof(buf));
	int r = write_file_atomic(s->reload_file, buf);
	if (r < 0)
		log_error("cannot write '%s': %s", s->reload_file, strerror(-r));
}

static void
handle_notify(struct sv *s, int fd)
{
	char buf[4097];
	pid_t sender;
	int n;
	while ((n = notify_receive(fd, buf, sizeof(buf), &sender)) != -EAGAIN) {
		struct notify_msg m;
		if (n < 0) {
			if (n == -EMSGSIZE)
				continue;
			break;
		}
		notify_parse(buf, (size_t)n, &m);
		if (m.mainpid > 0 && m.mainpid != s->main_pid && m.mainpid != getpid() &&
		    proc_alive(m.mainpid))
			set_main(s, m.mainpid);
		if (m.has_status || m.errno_value >= 0)
			write_status(s, &m);
		if (m.ready)
			set_ready(s, true);
		if (m.stopping)
			set_ready(s, false);
		if (reload_state_apply(&s->reload, &m))
			write_reload(s);
	}
}

static void
handle_signals(struct sv *s)
{
	struct signalfd_siginfo si;
	while (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap(s);
		else
			forward(s, (int)si.ssi_signo);
	}
	/* SIGCHLD coalesces; reap anyway so no exit is missed. */
	reap(s);
}

/* Leaves klein.timeout next to the ready file: the finish script then says
 * Result=timeout, as systemd does for a start that timed out, where the exit
 * status alone would say exit-code or signal. */
static void
mark_timeout(const struct sv *s)
{
	const char *slash = s->ready_file ? strrchr(s->ready_file, '/') : NULL;
	char *dir, *path;
	int fd;

	if (!s->ready_file)
		return;
	dir = slash ? xstrndup(s->ready_file, (size_t)(slash - s->ready_file) + 1) : NULL;
	path = xstrjoin3(dir, TIMEOUT_FILE_NAME, NULL);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		log_error("cannot write '%s': %s", path, strerror(errno));
	else
		close(fd);
	free(dir);
	free(path);
}

static int
poll_timeout(const struct sv *s)
{
	int ms = -1;
	if (s->phase == PH_PIDFILE || (s->main_alien && s->main_pid > 0 && s->pidfd < 0) ||
	    s->group_mode)
		ms = POLL_MS;
	if (s->deadline && !s->ready) {
		uint64_t now = now_usec();
		uint64_t left = s->deadline > now ? (s->deadline - now + 999) / 1000 : 0;
		if (ms < 0 || left < (uint64_t)ms)
			ms = (int)left;
	}
	return ms;
}

static void
run_loop(struct sv *s)
{
	while (s->phase != PH_DONE) {
		struct pollfd p[4] = {
			{ .fd = s->sfd, .events = POLLIN },
			{ .fd = s->nfd, .events = POLLIN },
			{ .fd = s->nfd_padded, .events = POLLIN },
			{ .fd = s->pidfd, .events = POLLIN },
		};
		if (poll(p, 4, poll_timeout(s)) < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			set_exit_code(s, 1);
			return;
		}
		handle_signals(s);
		if (s->nfd >= 0)
			handle_notify(s, s->nfd);
		if (s->nfd_padded >= 0)
			handle_notify(s, s->nfd_padded);
		if (s->phase != PH_DONE)
			step(s);
		if (s->phase != PH_DONE && !s->ready && s->deadline && now_usec() >= s->deadline) {
			log_error("start timed out");
			mark_timeout(s);
			set_exit_code(s, 1);
			s->main_pid = 0; /* its status no longer decides ours */
			s->phase = PH_DONE;
		}
	}
}

/* Whatever is left of the service (every descendant, as systemd's cgroup
 * kill) gets TERM (+CONT), then KILL after DRAIN_USEC, and is reaped, so
 * nothing outlives the supervisor. */
static void
drain(struct sv *s)
{
	bool forever = s->stop_timeout == 0 || s->stop_timeout == VALUE_INFINITY;
	uint64_t end = now_usec() + (forever ? 0 : s->stop_timeout);
	signal_children(SIGTERM, true);
	signal_children(SIGCONT, true);
	for (;;) {
		struct pidlist l = { 0 };
		reap(s);
		proc_children(getpid(), false, &l);
		size_t n = l.n;
		pidlist_done(&l);
		if (n == 0)
			break;
		/* Again each round: orphans of killed processes come to us. */
		if (!forever && now_usec() >= end)
			signal_children(SIGKILL, true);
		struct pollfd p = { .fd = s->sfd, .events = POLLIN };
		(void)poll(&p, 1, POLL_MS);
		struct signalfd_siginfo si;
		while (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			;
	}
	reap(s);
}

static pid_t
spawn(const struct sv *s, char **argv)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	(void)sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
	if (s->type == SV_NOTIFY)
		(void)setenv("NOTIFY_SOCKET", s->notify_name, 1);
	else
		(void)unsetenv("NOTIFY_SOCKET");
	execvp(argv[0], argv);
	int e = errno;
	log_error("cannot execute '%s': %s", argv[0], strerror(e));
	_exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}

static const struct option sv_options[] = {
	{ "type", required_argument, NULL, 't' },
	{ "pidfile", required_argument, NULL, 'p' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "ready-file", required_argument, NULL, 'r' },
	{ "mainpid-file", required_argument, NULL, 'm' },
	{ "notify-socket", required_argument, NULL, 'n' },
	{ "stop-timeout", required_argument, NULL, 'S' },
	{ "status-file", required_argument, NULL, 's' },
	{ "reload-file", required_argument, NULL, 'R' },
	{ NULL, 0, NULL, 0 },
};

static int
parse_sv_options(struct sv *s, int argc, char **argv)
{
	int c;
	bool have_type = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", sv_options, NULL)) != -1) {
		switch (c) {
		case 't':
			have_type = true;
			if (strcmp(optarg, "forking") == 0)
				s->type = SV_FORKING;
			else if (strcmp(optarg, "notify") == 0)
				s->type = SV_NOTIFY;
			else {
				log_error("supervise: unknown type '%s' (forking or notify)",
					  optarg);
				return -EINVAL;
			}
			break;
		case 'p':
			s->pidfile = optarg;
			break;
		case 'r':
			s->ready_file = optarg;
			break;
		case 'm':
			s->mainpid_file = optarg;
			break;
		case 'n':
			s->notify_arg = optarg;
			break;
		case 's':
			free(s->status_file);
			s->status_file = xstrdup(optarg);
			break;
		case 'R':
			free(s->reload_file);
			s->reload_file = xstrdup(optarg);
			break;
		case 'S':
			if (parse_time_usec(optarg, 1000000ULL, &s->stop_timeout) < 0) {
				log_error("supervise: invalid stop timeout '%s'", optarg);
				return -EINVAL;
			}
			break;
		case 'T':
			if (parse_time_usec(optarg, 1000000ULL, &s->timeout) < 0) {
				log_error("supervise: invalid timeout '%s'", optarg);
				return -EINVAL;
			}
			break;
		default:
			return -EINVAL;
		}
	}
	if (!have_type || optind >= argc) {
		log_error("supervise: --type and a command are required");
		return -EINVAL;
	}
	if (s->ready_file && s->type == SV_NOTIFY) {
		/* Next to the ready file (supervise/klein.status, klein.reload). */
		const char *slash = strrchr(s->ready_file, '/');
		char *dir =
			slash ? xstrndup(s->ready_file, (size_t)(slash - s->ready_file) + 1) : NULL;
		if (!s->status_file)
			s->status_file = xstrjoin3(dir, STATUS_FILE_NAME, NULL);
		if (!s->reload_file)
			s->reload_file = xstrjoin3(dir, RELOAD_FILE_NAME, NULL);
		free(dir);
	}
	if (s->type != SV_NOTIFY) {
		free(s->reload_file);
		s->reload_file = NULL;
	}
	return optind;
}

static int
setup(struct sv *s)
{
	sigset_t all;
	sigfillset(&all);
	for (size_t i = 0; i < sizeof(sync_signals) / sizeof(sync_signals[0]); i++)
		sigdelset(&all, sync_signals[i]);
	if (sigprocmask(SIG_SETMASK, &all, &s->oldmask) < 0)
		return -errno;
	s->sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sfd < 0)
		return -errno;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return -errno;
	if (s->ready_file)
		(void)unlink(s->ready_file);
	if (s->status_file)
		(void)unlink(s->status_file);
	write_reload(s);
	if (s->type == SV_NOTIFY) {
		if (s->notify_arg)
			snprintf(s->notify_name, sizeof(s->notify_name), "%s", s->notify_arg);
		else
			snprintf(s->notify_name, sizeof(s->notify_name),
				 "@klein-svc/notify/%ld/%llu", (long)getpid(),
				 (unsigned long long)now_usec());
		s->nfd = notify_open(s->notify_name, false);
		if (s->nfd < 0) {
			log_error("cannot create notify socket '%s': %s", s->notify_name,
				  strerror(-s->nfd));
			return s->nfd;
		}
		if (s->notify_name[0] == '@') {
			s->nfd_padded = notify_open(s->notify_name, true);
			if (s->nfd_padded < 0) {
				log_error("cannot create notify socket '%s' (padded): %s",
					  s->notify_name, strerror(-s->nfd_padded));
				return s->nfd_padded;
			}
		}
	}
	if (s->timeout > 0 && s->timeout != VALUE_INFINITY)
		s->deadline = now_usec() + s->timeout;
	return 0;
}

/*
 * Ends klein-svc "killed by sig", so runsv hands ./finish -1 and sig as for
 * a simple service. A core-dumping signal must not dump klein-svc's core
 * (the daemon already dumped its own, or not): RLIMIT_CORE 0 alone does not
 * stop a core_pattern pipe, non-dumpable does. Returns only when it could
 * not (a signal that does not terminate, or PID 1 of a namespace, which the
 * kernel protects): the caller exits 128+sig then.
 */
static int
die_by_signal(int sig)
{
	if (!signal_default_terminates(sig))
		return 128 + sig;
	if (signal_default_dumps_core(sig)) {
		struct rlimit none = { 0, 0 };
		(void)setrlimit(RLIMIT_CORE, &none);
		(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	}
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigemptyset(&sa.sa_mask);
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, sig);
	(void)fflush(NULL);
	if (sig != SIGKILL && sigaction(sig, &sa, NULL) < 0)
		return 128 + sig;
	(void)kill(getpid(), sig);
	(void)sigprocmask(SIG_UNBLOCK, &one, NULL);
	return 128 + sig;
}

int
cmd_supervise(int argc, char **argv)
{
	struct sv s = { .sfd = -1,
			.nfd = -1,
			.nfd_padded = -1,
			.pidfd = -1,
			.timeout = DEFAULT_TIMEOUT_USEC,
			.stop_timeout = DRAIN_USEC,
			.status_errno = -1 };
	int first = parse_sv_options(&s, argc, argv);
	if (first < 0) {
		free(s.status_file), free(s.reload_file);
		return SVC_EXIT_USAGE;
	}
	int r = setup(&s);
	if (r < 0) {
		if (r != s.nfd && r != s.nfd_padded) /* those were reported */
			log_error("supervise: setup failed: %s", strerror(-r));
		free(s.status_file), free(s.reload_file);
		return 1;
	}
	s.start_pid = spawn(&s, argv + first);
	if (s.start_pid < 0) {
		log_error("fork: %s", strerror(errno));
		free(s.status_file), free(s.reload_file);
		return 1;
	}
	if (s.type == SV_NOTIFY) {
		set_main(&s, s.start_pid);
		s.start_pid = 0;
		s.phase = PH_RUNNING;
	} else
		write_mainpid(&s);
	run_loop(&s);
	set_ready(&s, false);
	if (s.reload_file) /* a waiting klein-svc reload fails now, not after the drain */
		(void)unlink(s.reload_file);
	drain(&s);
	if (s.mainpid_file)
		(void)unlink(s.mainpid_file);
	if (s.nfd >= 0) {
		close(s.nfd);
		if (s.notify_name[0] != '@')
			(void)unlink(s.notify_name);
	}
	if (s.nfd_padded >= 0)
		close(s.nfd_padded);
	if (s.status_file) {
		(void)unlink(s.status_file);
		free(s.status_file);
	}
	free(s.reload_file);
	if (s.pidfd >= 0)
		close(s.pidfd);
	close(s.sfd);
	/* Everything is reaped and cleaned up: end the way the daemon did. */
	if (s.exit_signal)
		return die_by_signal(s.exit_signal);
	return s.exit_code;
}
