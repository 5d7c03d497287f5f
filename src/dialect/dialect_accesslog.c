/* SPDX-License-Identifier: MIT */
/*
 * dialect/dialect_accesslog.c - the structured access log (access_log_json):
 * one JSON object per answered request, one line each, appended to its own
 * file, for tools that read JSON lines. Each line is one write(2) on an
 * O_APPEND descriptor, so the workers' lines never interleave. The query is
 * left out (it carries access tokens); the path is escaped byte by byte, so
 * every line is valid JSON whatever the client sent.
 */
#include "dialect/dialect.h"

#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int access_json_open(const char *path, int fd)
{
    int nfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    int rc, e;

    if (nfd < 0 || fd < 0)
        return nfd;
    /* Reopening (SIGHUP): dup2 swaps the descriptor atomically, so no
     * worker's write sees it closed. Async-signal-safe. */
    rc = dup2(nfd, fd);
    e = errno;
    close(nfd);
    errno = e;
    return rc < 0 ? -1 : fd;
}

/* Appends 's' (n bytes) as JSON string content: printable ASCII as it is,
 * everything else as \u00XX. */
static size_t escape(char *out, size_t cap, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;

    for (size_t i = 0; i < n && k + 6 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
            out[k++] = (char)ch;
        } else {
            memcpy(out + k, "\\u00", 4);
            out[k + 4] = hex[ch >> 4];
            out[k + 5] = hex[ch & 15];
            k += 6;
        }
    }
    return k;
}

void access_json_write(int fd, const struct http_req *r, int64_t latency_us)
{
    char line[4096], path[2048], code[32] = "null";
    size_t plen = escape(path, sizeof(path), r->path, r->path_len);
    int n;

    if (r->log_code_set)
        snprintf(code, sizeof(code), "%ld", r->log_code);
    n = snprintf(line, sizeof(line),
                 "{\"ts_ms\":%lld,\"rid\":\"%s\",\"method\":\"%s\",\"path\":\"%.*s\","
                 "\"dialect\":%s%s%s,\"route\":%s%s%s,\"status\":%d,\"code\":%s,"
                 "\"tenant\":%lld,\"latency_us\":%lld}\n",
                 (long long)(clock_wall_us() / 1000), r->rid, r->method_str ? r->method_str : "",
                 (int)plen, path, r->dialect_label ? "\"" : "",
                 r->dialect_label ? r->dialect_label : "null", r->dialect_label ? "\"" : "",
                 r->route_label ? "\"" : "", r->route_label ? r->route_label : "null",
                 r->route_label ? "\"" : "", r->status, code, (long long)r->tenant,
                 (long long)latency_us);
    if (n > 0 && (size_t)n < sizeof(line) && write(fd, line, (size_t)n) < 0)
        return; /* a full disk loses access lines, never a request */
}
