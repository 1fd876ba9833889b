/* SPDX-License-Identifier: MIT */
/* osrelease: which systemd the image's distribution release ships, from its
 * os-release (klein-porter reads units as that version; the front-end's
 * `systemctl --version` names it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/chase.h"
#include "lib/osrelease.h"

/* Which systemd each supported distribution release ships. */
static const struct {
	const char *id, *version_id, *pretty;
	unsigned systemd;
} os_systemd[] = {
	{ "debian", "12", "Debian 12", 252 },
	{ "ubuntu", "24.04", "Ubuntu 24.04", 255 },
	{ "debian", "13", "Debian 13", 257 },
};

/* The unquoted value of KEY= in an os-release line, copied to out. */
static int
os_field(const char *line, const char *key, char *out, size_t size)
{
	size_t n = strlen(key), len;
	const char *v;

	if (strncmp(line, key, n) || line[n] != '=')
		return 0;
	v = line + n + 1;
	len = strcspn(v, "\r\n");
	if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
		v++;
		len -= 2;
	}
	if (len >= size)
		return 0;
	memcpy(out, v, len);
	out[len] = '\0';
	return 1;
}

static FILE *
open_os_release(const char *root)
{
	static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };

	for (size_t i = 0; i < 2; i++) {
		/* Resolved inside the root (Debian's /etc/os-release is a relative
		 * link; an absolute one must not reach the host's), and only a
		 * regular file: a FIFO would hang the conversion. */
		char *path = chase_path(root, paths[i], true);
		int fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) : -1;
		struct stat st;
		FILE *f;

		free(path);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (f = fdopen(fd, "r")))
			return f;
		close(fd);
	}
	return NULL;
}

unsigned
os_release_systemd(const char *root, char *buf, size_t size, const char **why)
{
	char line[512], id[64] = "", vid[64] = "";
	FILE *f = open_os_release(root);

	while (f && fgets(line, sizeof(line), f))
		if (!os_field(line, "ID", id, sizeof(id)))
			os_field(line, "VERSION_ID", vid, sizeof(vid));
	if (f)
		fclose(f);
	for (size_t i = 0; i < sizeof(os_systemd) / sizeof(os_systemd[0]); i++)
		if (!strcmp(id, os_systemd[i].id) && !strcmp(vid, os_systemd[i].version_id)) {
			snprintf(buf, size, "%s (os-release)", os_systemd[i].pretty);
			*why = buf;
			return os_systemd[i].systemd;
		}
	if (!f)
		*why = "no os-release: the newest known";
	else {
		snprintf(buf, size, "os-release says %s %s, not a known release: the newest known",
			 *id ? id : "(no ID)", *vid ? vid : "(no VERSION_ID)");
		*why = buf;
	}
	return SYSTEMD_NEWEST_KNOWN;
}
