/* SPDX-License-Identifier: MIT */
/*
 * config/config_key.c - the server key file (secret_key_file): where it is,
 * reading it, creating the default one for a SQLite database. The key seals
 * stored secrets (core/seal.h); it never enters the database or the output
 * of --print-config.
 */
#include "config/config.h"

#include "core/ids.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_sqlite_file(const char *db)
{
    return strncmp(db, "sqlite:", 7) == 0 && strcmp(db, "sqlite::memory:") != 0;
}

bool config_secret_key_path(const struct config *c, const char *db, char *out, size_t n)
{
    int len;

    if (c->secret_key_file != NULL)
        len = snprintf(out, n, "%s", c->secret_key_file);
    else if (is_sqlite_file(db))
        len = snprintf(out, n, "%s.key", db + 7);
    else
        return false;
    return len > 0 && (size_t)len < n;
}

/* Writes 'key' to 'path' unless a file is there already: written in full
 * under a temporary name first, then linked into place, so a process that
 * starts at the same moment reads either no file or the whole key. */
static int key_file_create(const char *path, const struct seal_key *key, char *errbuf,
                           size_t errlen)
{
    char tmp[4096], text[SEAL_DIGEST_HEX + 2];
    int fd, rc = 0;

    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(errbuf, errlen, "cannot create key file '%s': %s", path, strerror(errno));
        return -1;
    }
    seal_key_format(key, text);
    if (write(fd, text, SEAL_DIGEST_HEX + 1) != SEAL_DIGEST_HEX + 1 || fsync(fd) != 0) {
        snprintf(errbuf, errlen, "cannot write key file '%s': %s", path, strerror(errno));
        rc = -1;
    }
    OPENSSL_cleanse(text, sizeof(text));
    close(fd);
    if (rc == 0 && link(tmp, path) != 0 && errno != EEXIST) {
        snprintf(errbuf, errlen, "cannot create key file '%s': %s", path, strerror(errno));
        rc = -1;
    }
    unlink(tmp);
    return rc;
}

/* Reads the key in 'path'. A missing file is created holding *fresh when
 * 'fresh' is not NULL, else it is an error. */
static int key_file_read(const char *path, const struct seal_key *fresh, struct seal_key *out,
                         char *errbuf, size_t errlen)
{
    char text[128];
    struct stat st;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT && fresh != NULL) {
        if (key_file_create(path, fresh, errbuf, errlen) != 0)
            return -1;
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        snprintf(errbuf, errlen, "cannot open key file '%s' (secret_key_file): %s", path,
                 strerror(errno));
        return -1;
    }
    n = read(fd, text, sizeof(text) - 1);
    if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0)
        log_warn("key file '%s' can be read by other users; chmod 600 it", path);
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    if (n < 0 || !seal_key_parse(text, out)) {
        OPENSSL_cleanse(text, sizeof(text));
        snprintf(errbuf, errlen,
                 "key file '%s' must hold 64 hex digits (32 bytes; openssl rand -hex 32)", path);
        return -1;
    }
    OPENSSL_cleanse(text, sizeof(text));
    return 0;
}

int config_secret_key_load(struct config *c, char *errbuf, size_t errlen)
{
    char path[4096];
    struct seal_key fresh;
    int rc;

    c->has_secret_key = false;
    /* Before it may be created below: a database whose own key file is
     * there has been opened before (store_sqlite_file.c). */
    c->sqlite_key_found = is_sqlite_file(c->db)
                          && snprintf(path, sizeof(path), "%s.key", c->db + 7) < (int)sizeof(path)
                          && access(path, F_OK) == 0;
    if (!config_secret_key_path(c, c->db, path, sizeof(path))) {
        if (strcmp(c->db, "sqlite::memory:") == 0) {
            /* A throwaway database dies with the process, and so may its key. */
            ids_random(c->secret_key.b, SEAL_KEY_LEN);
            c->has_secret_key = true;
            return 0;
        }
        snprintf(errbuf, errlen,
                 "'secret_key_file' is required with PostgreSQL: every node must use the same "
                 "key (create one with: openssl rand -hex 32 > FILE; chmod 600 FILE)");
        return -1;
    }
    /* Only the default file of a SQLite database is created; a configured
     * one that is missing is a mistake to report, not to paper over. */
    ids_random(fresh.b, SEAL_KEY_LEN);
    rc = key_file_read(path, c->secret_key_file == NULL ? &fresh : NULL, &c->secret_key, errbuf,
                       errlen);
    OPENSSL_cleanse(&fresh, sizeof(fresh));
    c->has_secret_key = rc == 0;
    return rc;
}

int config_secret_key_share(const struct config *c, const char *db, bool *note, char *errbuf,
                            size_t errlen)
{
    char path[4096];
    struct seal_key there;
    int rc;

    *note = false;
    if (c->secret_key_file != NULL)
        return 0;
    if (!config_secret_key_path(c, db, path, sizeof(path))) {
        *note = strcmp(db, "sqlite::memory:") != 0;
        return 0;
    }
    rc = key_file_read(path, &c->secret_key, &there, errbuf, errlen);
    if (rc == 0 && CRYPTO_memcmp(there.b, c->secret_key.b, SEAL_KEY_LEN) != 0) {
        snprintf(errbuf, errlen,
                 "key file '%s' holds another key: the copy would not open; remove it or set "
                 "secret_key_file",
                 path);
        rc = -1;
    }
    OPENSSL_cleanse(&there, sizeof(there));
    return rc;
}
