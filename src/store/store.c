/* SPDX-License-Identifier: MIT */
/* store/store.c - picks the backend named by the db URL; see store.h. */
#include "store/store.h"
#include "store/store_int.h"

#include "config/config.h"
#include "core/log.h"

#include <string.h>

struct store *store_open(const struct config *cfg)
{
    if (strncmp(cfg->db, "sqlite:", 7) == 0)
        return sq_open(cfg);
    log_error("cannot open database '%s': the postgres backend is not built yet", cfg->db);
    return NULL;
}

void store_close(struct store *s)
{
    if (s != NULL)
        s->ops->close(s);
}
