/* SPDX-License-Identifier: MIT */
/* tests/unit/test_seal.c - keyed digests and sealed values (core/seal.c), and the
 * server key file (config/config_key.c). */
#include "unit.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/seal.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void key_0_31(struct seal_key *k)
{
    for (int i = 0; i < SEAL_KEY_LEN; i++)
        k->b[i] = (unsigned char)i;
}

static void digest_known_value(void)
{
    struct arena a;
    struct seal_key k, other;

    arena_init(&a, 0);
    key_0_31(&k);
    other = k;
    other.b[0] ^= 1;
    /* HMAC-SHA256 with key 00..1f over "abc" (Python's hmac module). */
    CHECK_STR(seal_digest(&a, &k, "abc"),
              "f0133729c4163dede81e21cd47839256da58171238c8a0d874397c73b14e1e47");
    CHECK(strcmp(seal_digest(&a, &k, "abc"), seal_digest(&a, &other, "abc")) != 0);
    CHECK(strlen(seal_digest(&a, &k, "")) == SEAL_DIGEST_HEX);
    arena_release(&a);
}

static void round_trip(void)
{
    static const char *const texts[] = { "", "x", "acme-kf-secret", "多字节 secret", NULL };
    struct arena a;
    struct seal_key k;
    char *p;

    arena_init(&a, 0);
    key_0_31(&k);
    for (size_t i = 0; texts[i] != NULL; i++) {
        char *s1 = seal_seal(&a, &k, texts[i]), *s2 = seal_seal(&a, &k, texts[i]);

        CHECK(strncmp(s1, "v1:", 3) == 0);
        /* A text long enough not to turn up in random base64 by chance. */
        CHECK(strlen(texts[i]) < 8 || strstr(s1, texts[i]) == NULL);
        CHECK(strcmp(s1, s2) != 0); /* a fresh nonce each time */
        CHECK(seal_open(&a, &k, s1, &p) && p != NULL && strcmp(p, texts[i]) == 0);
        CHECK(seal_open(&a, &k, s2, &p) && p != NULL && strcmp(p, texts[i]) == 0);
    }
    CHECK(seal_seal(&a, &k, NULL) == NULL);
    CHECK(seal_open(&a, &k, NULL, &p) && p == NULL);
    arena_release(&a);
}

static void tamper_and_wrong_key(void)
{
    struct arena a;
    struct seal_key k, other;
    char *s, *p = (char *)"unchanged";

    arena_init(&a, 0);
    key_0_31(&k);
    other = k;
    other.b[31] ^= 0x80;
    s = seal_seal(&a, &k, "acme-udesk-token");
    CHECK(!seal_open(&a, &other, s, &p) && p == NULL);
    /* Every single changed character is caught, the nonce and the tag included. */
    for (size_t i = 3; s[i] != '\0'; i++) {
        char *t = arena_strdup(&a, s);

        t[i] = t[i] == 'A' ? 'B' : 'A';
        CHECK(!seal_open(&a, &k, t, &p));
    }
    CHECK(!seal_open(&a, &k, arena_strndup(&a, s, strlen(s) - 2), &p)); /* cut short */
    CHECK(!seal_open(&a, &k, s + 3, &p));                               /* no version */
    CHECK(!seal_open(&a, &k, "v1:", &p));
    CHECK(!seal_open(&a, &k, "v1:!!!!", &p));
    CHECK(!seal_open(&a, &k, "acme-udesk-token", &p)); /* a plain value */
    CHECK(seal_open(&a, &k, s, &p) && strcmp(p, "acme-udesk-token") == 0);
    arena_release(&a);
}

static void key_text(void)
{
    struct seal_key k, back;
    char text[SEAL_DIGEST_HEX + 2];

    key_0_31(&k);
    seal_key_format(&k, text);
    CHECK(strlen(text) == SEAL_DIGEST_HEX + 1 && text[SEAL_DIGEST_HEX] == '\n');
    CHECK(seal_key_parse(text, &back) && memcmp(back.b, k.b, SEAL_KEY_LEN) == 0);
    CHECK(seal_key_parse("  000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F \n",
                         &back)
          && memcmp(back.b, k.b, SEAL_KEY_LEN) == 0);
    text[5] = 'g';
    CHECK(!seal_key_parse(text, &back));
    CHECK(!seal_key_parse("00", &back));
    CHECK(!seal_key_parse("", &back));
    CHECK(seal_str_eq("same", "same") && !seal_str_eq("same", "samE"));
    CHECK(!seal_str_eq("sam", "same") && !seal_str_eq(NULL, "same"));
}

static int load_key(const char *db, const char *file, char *err)
{
    char dbflag[300];
    char *argv[] = { "qunzu", "--db", dbflag, "--secret-key-file", (char *)file, NULL };
    struct config c;
    int rc;

    snprintf(dbflag, sizeof(dbflag), "%s", db);
    if (file == NULL)
        argv[3] = NULL;
    rc = config_load(&c, file ? 5 : 3, argv, (const char *const[]){ NULL }, err, 256);
    if (rc == 0)
        rc = config_secret_key_load(&c, err, 256);
    CHECK(rc != 0 || c.has_secret_key);
    config_release(&c);
    return rc;
}

/* Where the key comes from: the default file of a SQLite database (created
 * private, then reused), a per-process key for sqlite::memory:, a required
 * file for PostgreSQL; a configured file must exist and hold a key. */
static void key_file_sources(void)
{
    char dir[] = "/tmp/qz-key-XXXXXX", db[300], keyf[300], err[256];
    struct stat st;
    FILE *f;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(db, sizeof(db), "sqlite:%s/q.db", dir);
    snprintf(keyf, sizeof(keyf), "%s/q.db.key", dir);
    CHECK(load_key(db, NULL, err) == 0);
    CHECK(stat(keyf, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(load_key(db, NULL, err) == 0);
    CHECK(load_key("sqlite::memory:", NULL, err) == 0);
    CHECK(load_key("postgres://nowhere/db", NULL, err) != 0);
    CHECK(strstr(err, "secret_key_file") != NULL);
    CHECK(load_key("postgres://nowhere/db", keyf, err) == 0);
    snprintf(keyf, sizeof(keyf), "%s/missing.key", dir);
    CHECK(load_key(db, keyf, err) != 0 && strstr(err, "missing.key") != NULL);
    f = fopen(keyf, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("not a key\n", f);
        fclose(f);
    }
    CHECK(load_key(db, keyf, err) != 0 && strstr(err, "64 hex digits") != NULL);
    unlink(keyf);
    snprintf(keyf, sizeof(keyf), "%s/q.db.key", dir);
    unlink(keyf);
    rmdir(dir);
}

const struct unit_case seal_cases[] = {
    { "seal/digest_known_value", digest_known_value },
    { "seal/round_trip", round_trip },
    { "seal/tamper_and_wrong_key", tamper_and_wrong_key },
    { "seal/key_text", key_text },
    { "seal/key_file_sources", key_file_sources },
    { NULL, NULL },
};
