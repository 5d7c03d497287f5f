/* SPDX-License-Identifier: MIT */
/* core/log.c - stderr logger; see log.h. */
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static atomic_int log_level_cur = LOG_INFO;
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level lvl)
{
    atomic_store(&log_level_cur, (int)lvl);
}

int log_enabled(enum log_level lvl)
{
    return (int)lvl <= atomic_load(&log_level_cur);
}

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

int log_file_open(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

    if (fd < 0)
        return -1;
    if (fd != STDERR_FILENO) {
        /* dup2 swaps the descriptor atomically: no write sees it closed. */
        int rc = dup2(fd, STDERR_FILENO), e = errno;

        close(fd);
        errno = e;
        if (rc < 0)
            return -1;
    }
    return 0;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    char line[2048];
    struct timeval tv;
    struct tm tm;
    size_t n;
    int k;
    va_list ap;

    if (!log_enabled(lvl))
        return;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    k = snprintf(line + n, sizeof(line) - n, ".%03dZ %s ", (int)(tv.tv_usec / 1000),
                 level_names[lvl]);
    n += (size_t)k;
    va_start(ap, fmt);
    k = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    n = (k < 0) ? n : n + (size_t)k;
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    /* One write per line so lines from worker threads never interleave. */
    if (write(STDERR_FILENO, line, n) < 0)
        return;
}
