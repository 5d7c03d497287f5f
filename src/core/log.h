/* SPDX-License-Identifier: MIT */
/*
 * core/log.h - the process logger: one line per event on stderr,
 * "TIME LEVEL message". The level is the only mutable global besides it.
 * A log file is stderr pointed at the file (log_file_open), so whatever
 * else writes to stderr (a sanitizer, a library) lands there too.
 */
#ifndef QZ_CORE_LOG_H
#define QZ_CORE_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level lvl);
int log_enabled(enum log_level lvl);
/* Parses "error", "warn", "info", "debug"; returns -1 for anything else. */
int log_level_parse(const char *s);
/* Points stderr at 'path', appending (created 0640 if missing); the old
 * stderr is closed. Async-signal-safe (open, dup2, close), so a SIGHUP
 * handler can reopen a rotated file; a line being written meanwhile goes
 * wholly to the old file or the new. Returns -1 with errno set. */
int log_file_open(const char *path);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
