/* SPDX-License-Identifier: MIT */
/*
 * http/http_int.h - the one place libh2o is included. H2O_USE_LIBUV must be
 * 0 before <h2o.h>, or the headers assume libuv and struct layouts silently
 * stop matching libh2o-evloop (docs/dependencies.md, "h2o traps").
 */
#ifndef QZ_HTTP_INT_H
#define QZ_HTTP_INT_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#endif
