/* SPDX-License-Identifier: MIT */
/* klein-svc: the sd_notify(3) datagram protocol (NOTIFY_SOCKET). */
#ifndef KLEIN_SVC_NOTIFY_H
#define KLEIN_SVC_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What one datagram said; fields not present keep their "unset" value. */
struct notify_msg {
	bool ready, stopping, reloading;
	pid_t mainpid;		 /* 0: not given or invalid */
	uint64_t monotonic_usec; /* MONOTONIC_USEC=; 0: not given or invalid */
	int errno_value;	 /* -1: not given */
	char status[256];
	bool has_status;
};

/*
 * Parses one sd_notify datagram: newline-separated KEY=VALUE lines (a final
 * newline is optional); READY=1, STOPPING=1, RELOADING=1, MAINPID=N,
 * STATUS=text, ERRNO=N, MONOTONIC_USEC=N; unknown or malformed lines are ignored, as systemd
 * does. Never fails.
 */
void notify_parse(const char *buf, size_t len, struct notify_msg *ret);

/*
 * Creates and binds the datagram socket for arg: "@name" (abstract) or a
 * filesystem path (unlinked first, made writable for every user so services
 * that dropped privileges can send, like systemd's /run/systemd/notify).
 * Sets SO_PASSCRED. Returns the fd (CLOEXEC, non-blocking) or -errno.
 *
 * padded: only for "@name": bind the name followed by NULs up to the whole
 * sun_path instead of the name alone. An abstract address is as long as the
 * length given to connect(), so a client that passes sizeof(struct
 * sockaddr_un) (OpenSSH's own sd_notify since 9.8, Debian 13's sshd) reaches
 * that padded name, never the one sd_notify(3) reaches. Bind both to hear
 * both kinds of client. -EINVAL for a path.
 */
int notify_open(const char *arg, bool padded);

/* Receives one datagram into buf (size len, NUL-terminated), closing any
 * passed file descriptors. Returns its length, -EAGAIN when none is queued,
 * -EMSGSIZE for a truncated one (to be ignored), or -errno. */
int notify_receive(int fd, char *buf, size_t len, pid_t *ret_sender);

#endif
