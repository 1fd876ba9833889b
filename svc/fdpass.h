/* SPDX-License-Identifier: MIT */
/* klein-svc: listening fds handed from a socket holder to a service (SCM_RIGHTS), as LISTEN_FDS. */
#ifndef KLEIN_SVC_FDPASS_H
#define KLEIN_SVC_FDPASS_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* At most this many fds in one message (the kernel's SCM_MAX_FD). */
#define FDPASS_MAX_FDS 253
/* Names joined by ':' (LISTEN_FDNAMES); systemd's FileDescriptorName= is at most 255 bytes. */
#define FDPASS_MAX_TEXT (FDPASS_MAX_FDS * 256)

/* Sends n fds and text (NUL-terminated) as one message on a SOCK_SEQPACKET socket. 0 or -errno. */
int fdpass_send(int sock, const int *fds, size_t n, const char *text);

/*
 * The client side of a holder's control socket: connects to path (a
 * SOCK_SEQPACKET unix socket), retrying while it does not exist or refuses,
 * up to timeout_usec, and receives the fds (close-on-exec) and the names.
 * text must hold FDPASS_MAX_TEXT bytes. 0 or -errno (-ETIMEDOUT).
 */
int fdpass_fetch(const char *path, uint64_t timeout_usec, int *fds, size_t *n, char *text);

/*
 * `klein-svc exec --sockets PATH... --open-file SPEC...`: fetches the fds of
 * every holder in order, then opens the OpenFile= specs (openfile.h), moves
 * them all to 3, 4, ... (no close-on-exec) and sets LISTEN_FDS, LISTEN_PID
 * (our pid, which the exec'd daemon keeps) and LISTEN_FDNAMES in env, as
 * systemd's service_spawn() does. Without holders, LISTEN_FDS that klein-svc
 * accept set for this pid (a connection on fd 3) stay first. timeout_usec 0
 * means the default (90 s, systemd's start timeout). 0, -ENOEXEC when an
 * OpenFile= failed, or -errno, after a message.
 */
int fds_install(const struct strv *paths, uint64_t timeout_usec, const struct strv *open_files,
		struct strv *env);

/* --sockets-timeout SPAN: systemd's time span; "0" and "infinity" wait forever. */
int sockets_timeout_parse(const char *arg, uint64_t *ret_usec);

/* Moves fds[0..n) to 3.. without close-on-exec (fds may already lie there). */
int fds_move_to_3(int *fds, size_t n);

#endif
