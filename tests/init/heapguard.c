/* SPDX-License-Identifier: MIT */
/* Test build only: fails klein-init if it allocates once startup is over. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

/* glibc's own allocator, which an executable that defines malloc & co.
 * replaces for every caller, glibc's internals (stdio, opendir, strerror,
 * setenv) included. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);
void *memalign(size_t align, size_t n);
void *aligned_alloc(size_t align, size_t n);
int posix_memalign(void **ret, size_t align, size_t n);
void *valloc(size_t n);
void *pvalloc(size_t n);

#define HEAPGUARD_EXIT 86 /* klein-init never exits with it by itself */

static unsigned long allocations; /* before arming: proves we see them */
static pid_t armed_pid;		  /* 0: not armed */

static void
say(const char *a, const char *b, unsigned long n)
{
	char line[160];
	int len = snprintf(line, sizeof(line), "klein-heapguard: %s%s%lu\n", a, b, n);

	(void)!write(STDERR_FILENO, line, (size_t)len);
}

static void
check(const char *fn, size_t n)
{
	allocations++;
	/* A forked child between fork and exec is not klein-init. */
	if (armed_pid == 0 || getpid() != armed_pid)
		return;
	say(fn, " after startup, bytes ", (unsigned long)n);
	_exit(HEAPGUARD_EXIT);
}

void
init_steady(void)
{
	/* The count shows the interposition works: startup does allocate. */
	say("armed after allocations: ", "", allocations);
	armed_pid = getpid();
}

void *
malloc(size_t n)
{
	check("malloc", n);
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	check("calloc", n * size);
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	check("realloc", n);
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	/* Freeing startup memory at exit is fine: it never grows the heap. */
	__libc_free(p);
}

void *
memalign(size_t align, size_t n)
{
	check("memalign", n);
	return __libc_memalign(align, n);
}

void *
aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int
posix_memalign(void **ret, size_t align, size_t n)
{
	void *p = memalign(align, n);

	if (!p)
		return 12; /* ENOMEM */
	*ret = p;
	return 0;
}

void *
valloc(size_t n)
{
	return memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

void *
pvalloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return memalign(page, (n + page - 1) / page * page);
}
