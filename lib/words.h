/* SPDX-License-Identifier: MIT */
/* words: systemd's word splitting (extract-word.c), C escapes, and the Exec
 * command-line grammar (prefixes, ';' separators, path rules).
 *
 * Splitting rules (systemd.syntax(7) "Quoting", as implemented by systemd 252):
 *  - words are separated by runs of whitespace (or the given separators);
 *  - with WORD_UNQUOTE a '...' or "..." quote may start anywhere in a word and
 *    is glued to the text around it ("e"f -> ef); an unterminated quote is an
 *    error (-EINVAL) unless WORD_RELAX;
 *  - a backslash escapes the next character; with WORD_CUNESCAPE it starts a
 *    C escape (\a \b \f \n \r \t \v \\ \" \' \s \xHH \NNN \uHHHH \UHHHHHHHH),
 *    and an unknown escape is an error unless WORD_UNESCAPE_RELAX, which keeps
 *    the backslash and the character verbatim;
 *  - a trailing lone backslash is an error (kept verbatim under
 *    WORD_UNESCAPE_RELAX outside quotes).
 * Nothing here allocates on error paths that the caller must free. */
#ifndef KLEIN_LIB_WORDS_H
#define KLEIN_LIB_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

/* Exec prefix flags; names as in inspect's JSON. */
enum exec_flag {
	EXEC_IGNORE_FAILURE = 1 << 0,  /* "-"  -> "ignore-failure" */
	EXEC_NO_ENV_EXPAND = 1 << 1,   /* ":"  -> "no-env-expand" */
	EXEC_FULL_PRIVILEGES = 1 << 2, /* "+"  -> "full-privileges" */
	EXEC_NO_SETUID = 1 << 3,       /* "!"  -> "no-setuid" */
	EXEC_AMBIENT = 1 << 4,	       /* "!!" -> "ambient" */
};

/* Where a value came from: the file and the line its logical line started on. */
struct loc {
	const char *file; /* owned by the caller (the porter: struct unit) */
	unsigned line;
};

/* One parsed Exec*= command line. */
struct exec_command {
	char *path;  /* the executable (after '@', the real path) */
	char **argv; /* argv[0] as written (the '@' name when given); NULL-terminated */
	size_t argc;
	unsigned flags; /* enum exec_flag */
	struct loc loc;
};

enum word_flags {
	WORD_RELAX = 1 << 0,		   /* unbalanced quotes/trailing '\' are not errors */
	WORD_CUNESCAPE = 1 << 1,	   /* C escapes */
	WORD_UNESCAPE_RELAX = 1 << 2,	   /* unknown escapes kept verbatim */
	WORD_UNQUOTE = 1 << 3,		   /* remove quotes */
	WORD_KEEP_QUOTE = 1 << 4,	   /* keep quotes, but honour them */
	WORD_RETAIN_ESCAPE = 1 << 5,	   /* backslashes are plain characters */
	WORD_DONT_COALESCE = 1 << 6,	   /* each separator ends a (maybe empty) word */
	WORD_UNESCAPE_SEPARATORS = 1 << 7, /* '\' + separator or '\' -> that char */
};

#define WORDS_WHITESPACE " \t\n\r"

/* Extracts the first word of *p into *ret (malloc'd) and advances *p (to NULL
 * at the end). Returns 1 when a word was found, 0 at the end of input, -EINVAL
 * on bad quoting/escapes (*p then points at the offending character), -ENOMEM.
 * separators NULL means whitespace. */
int word_extract(const char **p, char **ret, const char *separators, unsigned flags);

/* Like word_extract(), but on -EINVAL retries with WORD_UNESCAPE_RELAX and
 * reports what systemd's extract_first_word_and_warn() reports ("Ignoring
 * unknown escape sequences" warning, or "Unbalanced quoting" error) at
 * file:line, where whole is the entire value for the message. */
int word_extract_warn(const char **p, char **ret, const char *separators, unsigned flags,
		      struct diag *d, const char *file, unsigned line, const char *whole);

/* Decodes one C escape starting after the backslash. Returns the number of
 * input bytes used (>= 1) and stores the code point, or -EINVAL. eight_bit is
 * set when the value is a raw byte (\x, octal). */
int cunescape_one(const char *p, uint32_t *ret, bool *eight_bit);

/* Writes c as UTF-8 into out (room for 4 bytes); returns the length. */
size_t utf8_encode(char *out, uint32_t c);

/* Splits a whole value into words (a list setting). Returns 0 and a
 * NULL-terminated array (free with words_free()) or -EINVAL/-ENOMEM. */
int words_split(const char *value, unsigned flags, char ***ret, size_t *ret_n);
void words_free(char **v);

/* Specifier resolution hook for Exec parsing: resolve in into *out (malloc'd)
 * or return -errno (-EBADSLT for an unknown specifier). */
typedef int (*words_resolve_fn)(void *ctx, const char *in, char **out);

/* Parses one Exec*= value (not empty: the caller handles the reset) the way
 * systemd 252's config_parse_exec() does: prefixes "-@:+!" and "!!", lone ';'
 * separators, '\;', path rules. Commands are appended to v/n (path, argv,
 * argc, flags; loc is left for the caller). Problems are reported to d at
 * file:line. Returns 0 (possibly having ignored the line with a warning),
 * -ENOEXEC when systemd refuses the unit, -ENOMEM. */
int exec_parse(const char *value, words_resolve_fn resolve, void *ctx, struct exec_command **v,
	       size_t *n, struct diag *d, const char *file, unsigned line);

/* Frees the members of one command. */
void exec_command_done(struct exec_command *c);

/* systemd's path_simplify(): drops duplicate slashes, "." components and a
 * trailing slash, in place. */
void path_simplify(char *path);

/* The value of one hex digit, or -EINVAL when c is not one. */
int unhex(char c);

/* Whether the string has no control characters, quotes or backslashes. */
bool string_is_safe(const char *s);
/* Whether s is a valid file name (no '/', not "."/"..", <= 255 bytes). */
bool filename_is_valid(const char *s);
/* Whether s is a valid path (non-empty, < PATH_MAX, components <= 255). */
bool path_is_valid(const char *s);
/* Whether s is normalized: no "." or ".." components and no "//". */
bool path_is_normalized(const char *s);

#endif
