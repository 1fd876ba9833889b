/* SPDX-License-Identifier: MIT */
/* The container environment's writer: a buffered fd, shell and JSON quoting. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

void
wbuf_put(struct wbuf *w, const char *s, size_t n)
{
	while (n > 0 && !w->err) {
		size_t room = sizeof(w->buf) - w->len;
		size_t k = n < room ? n : room;

		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == sizeof(w->buf))
			(void)wbuf_flush(w); /* sets w->err on failure */
	}
}

void
wbuf_puts(struct wbuf *w, const char *s)
{
	wbuf_put(w, s, strlen(s));
}

int
wbuf_flush(struct wbuf *w)
{
	size_t off = 0;

	while (off < w->len && !w->err) {
		ssize_t k = write(w->fd, w->buf + off, w->len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			w->err = -errno;
		else
			off += (size_t)k;
	}
	w->len = 0;
	return w->err;
}

void
env_sh_quote(struct wbuf *w, const char *s)
{
	/* Single quotes keep every byte literal, newlines included; only
	 * the quote itself needs the close-escape-reopen dance. */
	wbuf_put(w, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			wbuf_puts(w, "'\\''");
		else
			wbuf_put(w, p, 1);
	}
	wbuf_put(w, "'", 1);
}

void
env_json_quote(struct wbuf *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	char esc[8];

	wbuf_put(w, "\"", 1);
	while (n > 0) {
		size_t k = utf8_len(p, n);

		if (k == 0 || p[0] < 0x20 || p[0] == '"' || p[0] == '\\' || p[0] == 0x7f) {
			if (p[0] == '"' || p[0] == '\\') {
				esc[0] = '\\';
				esc[1] = (char)p[0];
				wbuf_put(w, esc, 2);
			} else if (p[0] == '\n') {
				wbuf_put(w, "\\n", 2);
			} else if (p[0] == '\t') {
				wbuf_put(w, "\\t", 2);
			} else {
				/* Control bytes, and each byte of an invalid
				 * sequence read as Latin-1: valid JSON always. */
				snprintf(esc, sizeof(esc), "\\u%04x", p[0]);
				wbuf_put(w, esc, 6);
			}
			k = 1;
		} else {
			wbuf_put(w, (const char *)p, k);
		}
		p += k;
		n -= k;
	}
	wbuf_put(w, "\"", 1);
}
