/* SPDX-License-Identifier: MIT */
/* klein-svc: LoadCredential=, ImportCredential=, SetCredential= into a private directory
 * (systemd's exec-credential.c, plain-directory mode: no tmpfs of its own). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "creds.h"

#include "lib/creds.h"

/* The credential store, in systemd's order (CONF_PATHS("credstore")). */
static const char *const store_dirs[] = { "/etc/credstore", "/run/credstore",
					  "/usr/local/lib/credstore", "/usr/lib/credstore" };
#define N_STORE (sizeof(store_dirs) / sizeof(store_dirs[0]))

struct ctx {
	const struct creds_spec *c;
	int dfd;     /* the workspace */
	size_t left; /* of CREDS_TOTAL_MAX */
};

/* Reads fd to the end, at most CREDS_TOTAL_MAX bytes (-E2BIG beyond). */
static int
read_all(int fd, char **data, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 || n + (size_t)k > CREDS_TOTAL_MAX) {
			int e = k < 0 ? -errno : -E2BIG;
			free(buf);
			return e;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* An AF_UNIX stream socket: connect, send nothing, read to EOF. */
static int
read_socket(const char *path, char **data, size_t *len)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(un.sun_path))
		return -ENAMETOOLONG;
	strcpy(un.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int r = connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0 ? -errno : 0;
	if (r == 0) {
		(void)shutdown(fd, SHUT_WR);
		r = read_all(fd, data, len);
	}
	close(fd);
	return r;
}

/* A credential source: a regular file, or (sockets set) an AF_UNIX socket.
 * Anything else (a FIFO, a device) is refused rather than waited on. */
static int
read_source(const char *path, bool sockets, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENXIO && sockets ? read_socket(path, data, len) : -errno;
	struct stat st;
	int r = fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EBADFD;
	if (r == 0)
		r = read_all(fd, data, len);
	close(fd);
	return r;
}

static bool
have(const struct ctx *x, const char *id)
{
	return faccessat(x->dfd, id, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Writes one credential file: 0400, owned by the service's user. */
static int
write_cred(struct ctx *x, const char *id, const char *data, size_t len)
{
	size_t add = strlen(id) + len;
	if (add > x->left) {
		log_error("credential '%s' does not fit: all credentials of a unit are limited to "
			  "%u bytes",
			  id, CREDS_TOTAL_MAX);
		return -E2BIG;
	}
	int fd = openat(x->dfd, id, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	int r = fd < 0 ? -errno : 0;
	for (size_t off = 0; r == 0 && off < len;) {
		ssize_t k = write(fd, data + off, len - off);
		if (k < 0 && errno != EINTR)
			r = -errno;
		off += k > 0 ? (size_t)k : 0;
	}
	if (r == 0 && fchmod(fd, 0400) < 0)
		r = -errno;
	if (r == 0 && x->c->chown && fchown(fd, x->c->uid, x->c->gid) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	if (r < 0)
		log_error("cannot write credential '%s': %s", id, strerror(-r));
	else
		x->left -= add;
	return r;
}

static bool
set_has(const struct creds_spec *c, const char *id)
{
	size_t n = strlen(id);
	for (size_t i = 0; i < c->set.n; i++)
		if (!strncmp(c->set.v[i], id, n) && c->set.v[i][n] == ':')
			return true;
	return false;
}

static int
load_file(struct ctx *x, const char *id, const char *path, bool missing_ok, bool sockets)
{
	char *data = NULL;
	size_t len = 0;
	int r = read_source(path, sockets, &data, &len);
	if (r == -ENOENT && (missing_ok || set_has(x->c, id)))
		return 0; /* systemd: "Couldn't read inherited credential, skipping" */
	if (r < 0) {
		log_error("failed to read credential '%s': %s", path, strerror(-r));
		return r;
	}
	r = write_cred(x, id, data, len);
	free(data);
	return r;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* A directory source: every regular file (and socket) below it, sorted, as
 * ID_SUB_PATH ('/' becomes '_'); dot files and symlinks are skipped. */
static int
load_dir(struct ctx *x, const char *id, const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, by_name), r = 0;
	if (n < 0) {
		int e = errno;
		log_error("cannot read credential directory '%s': %s", dir, strerror(e));
		return -e;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char *path = xstrjoin3(dir, "/", name), *sub = xstrjoin3(id, "_", name);
		struct stat st;
		if (r < 0 || name[0] == '.' || lstat(path, &st) < 0)
			; /* skipped; a file that vanished meanwhile is fine */
		else if (S_ISDIR(st.st_mode))
			r = load_dir(x, sub, path);
		else if ((S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode)) &&
			 !credential_name_valid(sub)) {
			log_error("credential would get ID '%s', which is not valid, refusing",
				  sub);
			r = -EINVAL;
		} else if ((S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode)) && !have(x, sub))
			r = load_file(x, sub, path, true, false);
		free(path), free(sub), free(ents[i]);
	}
	free(ents);
	return r;
}

/* LoadCredential=ID:PATH. */
static int
load_one(struct ctx *x, const char *item)
{
	const char *colon = strchr(item, ':');
	char *id = xstrndup(item, colon ? (size_t)(colon - item) : strlen(item));
	const char *src = colon ? colon + 1 : id;
	int r = 0;
	if (src[0] == '/') {
		struct stat st;
		if (stat(src, &st) == 0 && S_ISDIR(st.st_mode))
			r = load_dir(x, id, src);
		else
			r = load_file(x, id, src, false, true);
	} else {
		/* A credential name: the first copy in the store. */
		bool found = false;
		for (size_t i = 0; i < N_STORE && !found && r == 0; i++) {
			char *dir = xstrjoin3(x->c->root, store_dirs[i], "/");
			char *path = xstrjoin3(dir, src, NULL);
			found = access(path, F_OK) == 0;
			if (found)
				r = load_file(x, id, path, true, false);
			free(path), free(dir);
		}
		if (!found)
			log_error("credential '%s' is not in the credential store, skipping", src);
	}
	free(id);
	return r;
}

/* ImportCredential=GLOB[:RENAME]: per store directory, the matches in order;
 * a name already there wins. The encrypted store is only reported. */
static int
import_one(struct ctx *x, const char *item)
{
	const char *colon = strchr(item, ':'), *rename = colon ? colon + 1 : NULL;
	char *pattern = xstrndup(item, colon ? (size_t)(colon - item) : strlen(item));
	/* The part of a name after the glob's prefix (systemd's rename rule). */
	size_t prefix = strlen(pattern) - (pattern[strlen(pattern) - 1] == '*');
	int r = 0;
	for (size_t i = 0; i < 2 * N_STORE && r == 0; i++) {
		bool enc = i >= N_STORE;
		char *dir =
			xstrjoin3(x->c->root, store_dirs[i % N_STORE], enc ? ".encrypted/" : "/");
		char *pat = xstrjoin3(dir, pattern, NULL);
		glob_t g;
		int gr = glob(pat, 0, NULL, &g);
		for (size_t k = 0; gr == 0 && k < g.gl_pathc && r == 0; k++) {
			const char *base = strrchr(g.gl_pathv[k], '/') + 1;
			char *name =
				rename ? xstrjoin3(rename, base + prefix, NULL) : xstrdup(base);
			if (!credential_name_valid(name) || have(x, name)) {
				free(name);
				continue;
			}
			if (enc)
				log_error(
					"warning: credential '%s' (%s) is encrypted and cannot be "
					"decrypted without systemd-creds, skipping",
					name, g.gl_pathv[k]);
			else
				r = load_file(x, name, g.gl_pathv[k], false, false);
			free(name);
		}
		if (gr != GLOB_NOMATCH)
			globfree(&g);
		free(pat), free(dir);
	}
	free(pattern);
	return r;
}

/* SetCredential=ID:VALUE, unless the ID was loaded. */
static int
set_one(struct ctx *x, const char *item)
{
	const char *colon = strchr(item, ':');
	if (!colon)
		return -EINVAL;
	char *id = xstrndup(item, (size_t)(colon - item)), *data = NULL;
	size_t len = 0;
	int r = 0;
	if (!have(x, id)) {
		r = credential_unescape(colon + 1, &data, &len);
		if (r < 0)
			log_error("cannot unescape the value of credential '%s'", id);
		else
			r = write_cred(x, id, data, len);
	}
	free(data), free(id);
	return r;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

int
creds_remove(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 ? -errno : 0;
}

/* mkdir -p of dir's parents (mode 0755, as systemd's /run/credentials). */
static void
make_parents(const char *dir)
{
	char *p = xstrdup(dir);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) == 0)
			(void)chmod(p, 0755); /* whatever the umask: the service must get through */
		*s = '/';
	}
	free(p);
}

/* The filled workspace replaces dir (or, empty, removes it). */
static int
put_in_place(const struct creds_spec *c, int dfd, const char *ws)
{
	DIR *d = fdopendir(dup(dfd));
	bool empty = true;
	for (struct dirent *e; d && (e = readdir(d));)
		empty &= !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	if (empty) {
		(void)rmdir(ws);
		return creds_remove(c->dir);
	}
	if (fchmod(dfd, 0500) < 0 || (c->chown && fchown(dfd, c->uid, c->gid) < 0))
		return -errno;
	if (rename(ws, c->dir) == 0)
		return 0;
	if (errno != EEXIST && errno != ENOTEMPTY && errno != EISDIR)
		return -errno;
	if (renameat2(AT_FDCWD, ws, AT_FDCWD, c->dir, RENAME_EXCHANGE) == 0)
		return creds_remove(ws); /* the previous contents */
	int r = creds_remove(c->dir);
	return r < 0 ? r : rename(ws, c->dir) < 0 ? -errno : 0;
}

int
creds_setup(const struct creds_spec *c)
{
	make_parents(c->dir);
	char *ws = xstrjoin3(c->dir, ".new-XXXXXX", NULL);
	if (!mkdtemp(ws)) {
		int e = errno;
		log_error("cannot create a workspace for '%s': %s", c->dir, strerror(e));
		free(ws);
		return -e;
	}
	struct ctx x = { .c = c, .left = CREDS_TOTAL_MAX };
	x.dfd = open(ws, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = x.dfd < 0 ? -errno : 0;
	for (size_t i = 0; r == 0 && i < c->load.n; i++)
		r = load_one(&x, c->load.v[i]);
	for (size_t i = 0; r == 0 && i < c->import.n; i++)
		r = import_one(&x, c->import.v[i]);
	for (size_t i = 0; r == 0 && i < c->set.n; i++)
		r = set_one(&x, c->set.v[i]);
	if (r == 0 && (r = put_in_place(c, x.dfd, ws)) < 0)
		log_error("cannot move the credentials into '%s': %s", c->dir, strerror(-r));
	if (r < 0)
		(void)creds_remove(ws);
	if (x.dfd >= 0)
		close(x.dfd);
	free(ws);
	return r;
}
