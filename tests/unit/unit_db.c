/* SPDX-License-Identifier: MIT */
/* tests/unit/unit_db.c - the svc test fixture (unit_db.h). */
#include "unit.h"
#include "unit_db.h"

void unit_db_open(struct unit_db *db, const char *seed)
{
    char err[256];
    char *argv[] = { "qunzu", "--db", "sqlite::memory:", NULL };
    const char *env[] = { NULL };
    json_t *doc = json_loads(seed, 0, NULL), *res = NULL;

    memset(db, 0, sizeof(*db));
    CHECK(doc != NULL);
    CHECK(config_load(&db->cfg, 3, argv, env, err, sizeof(err)) == 0);
    CHECK(config_secret_key_load(&db->cfg, err, sizeof(err)) == 0);
    db->st = store_open(&db->cfg);
    CHECK(db->st != NULL);
    arena_init(&db->a, 0);
    db->c = (struct svc_ctx){ .st = db->st, .a = &db->a, .ei = &db->ei, .now = 1000 };
    CHECK(store_begin(db->st, true) == ERR_OK);
    CHECK(svc_seed_apply(&db->c, doc, &res) == ERR_OK);
    CHECK(store_commit(db->st) == ERR_OK);
    json_decref(doc);
    json_decref(res);
}

void unit_db_close(struct unit_db *db)
{
    store_close(db->st);
    arena_release(&db->a);
    config_release(&db->cfg);
}
