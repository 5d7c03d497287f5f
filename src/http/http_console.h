/* SPDX-License-Identifier: MIT */
/*
 * http/http_console.h - the web console's files, compiled into the binary.
 *
 * tools/embed_console.cmake turns every file under console/ into one row of
 * console_files at build time (no file is read at run time); http_console_serve
 * answers GET and HEAD for them under /console/. The files hold no data: the
 * page asks for the admin token and calls the admin API with it, so serving
 * them needs no authentication.
 */
#ifndef QZ_HTTP_CONSOLE_H
#define QZ_HTTP_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

struct http_req;

struct console_file {
    const char *path;         /* "/console/app.js" */
    const char *content_type; /* "text/javascript; charset=utf-8" */
    const char *etag;         /* "\"<20 hex digits of its SHA-256>\"" */
    const unsigned char *bytes;
    size_t len;
};

/* Generated: the files in path order, then a row of zeros. */
extern const struct console_file console_files[];
extern const size_t console_nfiles;

/* The file served at 'path' ("/console/" is index.html), or NULL. */
const struct console_file *http_console_find(const char *path, size_t len);

/* Answers 'r' when its path is /console or under /console/ (true), else
 * leaves it alone (false): GET and HEAD of a file (304 when If-None-Match
 * names its ETag), a redirect from /console to /console/, 404 for any other
 * path under /console/, 405 for any other method. Every answer carries the
 * console's security headers (a Content-Security-Policy of 'self' only). */
bool http_console_serve(struct http_req *r);

#endif
