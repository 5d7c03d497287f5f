/* SPDX-License-Identifier: MIT */
/*
 * store/store_sqlite_file.c - the database file under a running server:
 * deleted, replaced or moved, or made unwritable (read-only file system,
 * permissions, the immutable flag).
 *
 * A connection checks its file before a write transaction, at most every
 * sqlite_file_check_ms, and on every /readyz: a file that was unlinked or
 * renamed (SQLITE_FCNTL_HAS_MOVED: its link count is 0, or the path now names
 * another inode) fails every write of the connection from then on, and a
 * database, WAL or shared-memory file that cannot be written fails writes
 * while it lasts. Writes get the store error and /readyz 503; reads go on.
 *
 * The WAL index (PATH-shm) is a shared memory map, and SQLite writes to it
 * for reads too (a reader's mark). When the file has become unwritable (the
 * immutable flag), the kernel answers such a write with SIGBUS. The guard
 * installed here turns it into a failure of the store instead of a crash:
 * a SIGBUS on a page of a mapped "-shm" file gets that page replaced by a
 * private copy with the same bytes, and the process stops writing for good
 * (sq_file_check fails from then on; /readyz says 503). The private copy is
 * consistent for this process, whose connections all share the map; a
 * restart is needed to write again. Any other SIGBUS goes to the handler
 * that was there before.
 *
 * At start, a database that is missing although its key file (PATH.key) or
 * WAL (PATH-wal) shows one existed is not created anew unless sqlite_create
 * says so: that is a lost database, not a first start.
 */
#include "store/store_sqlite_int.h"

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define GUARD_PAGE_MAX 65536

static struct sigaction old_bus;
static atomic_bool bus_seen;
static atomic_flag bus_lock = ATOMIC_FLAG_INIT;
static uintptr_t page_size;
static unsigned char page_copy[GUARD_PAGE_MAX];
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* One line of /proc/self/maps: "start-end perms offset dev inode path".
 * Whether 'addr' lies in it and its path ends in "-shm". */
static bool line_is_shm_at(const char *l, size_t n, uintptr_t addr)
{
    uintptr_t lo = 0, hi = 0;
    size_t i = 0;
    int v;

    for (; i < n && (v = hexval(l[i])) >= 0; i++)
        lo = lo * 16 + (uintptr_t)v;
    if (i >= n || l[i++] != '-')
        return false;
    for (; i < n && (v = hexval(l[i])) >= 0; i++)
        hi = hi * 16 + (uintptr_t)v;
    return addr >= lo && addr < hi && n >= 4 && memcmp(l + n - 4, "-shm", 4) == 0;
}

/* Whether 'addr' is in a mapped "-shm" file. Reads /proc/self/maps with
 * plain system calls: it runs in the signal handler. */
static bool addr_in_shm(uintptr_t addr)
{
    static char buf[8192];
    size_t have = 0;
    bool found = false;
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return false;
    while (!found) {
        ssize_t got = read(fd, buf + have, sizeof(buf) - have);
        size_t start = 0;

        if (got <= 0)
            break;
        have += (size_t)got;
        for (size_t i = 0; i < have && !found; i++) {
            if (buf[i] != '\n')
                continue;
            found = line_is_shm_at(buf + start, i - start, addr);
            start = i + 1;
        }
        if (start == 0 && have == sizeof(buf))
            break; /* a line longer than the buffer: give up */
        memmove(buf, buf + start, have - start);
        have -= start;
    }
    close(fd);
    return found;
}

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    static const char msg[] = "qunzu: SIGBUS writing the SQLite WAL index (-shm): the "
                              "database files became unwritable; writes now fail\n";
    uintptr_t page = (uintptr_t)si->si_addr & ~(page_size - 1);
    bool ours;

    (void)sig;
    (void)ctx;
    while (atomic_flag_test_and_set(&bus_lock))
        ;
    ours = si->si_code == BUS_ADRERR && page_size <= GUARD_PAGE_MAX && addr_in_shm(page);
    if (ours) {
        memcpy(page_copy, (void *)page, page_size);
        ours = mmap((void *)page, page_size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
               != MAP_FAILED;
        if (ours)
            memcpy((void *)page, page_copy, page_size);
    }
    if (ours) {
        atomic_store(&bus_seen, true);
        if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
            /* nothing more to say */
        }
    } else {
        /* Not ours: the faulting access runs again and meets the old handler. */
        sigaction(SIGBUS, &old_bus, NULL);
    }
    atomic_flag_clear(&bus_lock);
}

static void guard_install(void)
{
    struct sigaction sa;

    page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &old_bus) != 0)
        log_warn("sqlite: cannot install the SIGBUS guard: %s", strerror(errno));
}

void sq_file_guard(void)
{
    pthread_once(&guard_once, guard_install);
}

/* EACCES, EPERM (immutable), EROFS: the file cannot be written. A file
 * that is not there (no WAL yet) is no reason. */
static bool unwritable(const char *path)
{
    return path != NULL && access(path, W_OK) != 0 && errno != ENOENT;
}

enum err sq_file_check(struct sq *s, bool now)
{
    const char *db = sqlite3_db_filename(s->db, "main");
    char shm[4200];
    int moved = 0;
    int64_t t;

    if (atomic_load(&bus_seen)) {
        if (!s->file_lost)
            log_error("sqlite: the database files became unwritable under a read (SIGBUS "
                      "caught); writes fail until the server is restarted");
        s->file_lost = true;
        return ERR_STORE;
    }
    if (s->file_lost)
        return ERR_STORE;
    if (db == NULL || db[0] == '\0' || s->check_ms < 0)
        return ERR_OK; /* in memory */
    t = clock_mono_us();
    if (!now && t - s->checked_us < s->check_ms * 1000)
        return s->file_unwritable ? ERR_STORE : ERR_OK;
    s->checked_us = t;
    if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK
        && moved) {
        log_error("sqlite: the database file '%s' was deleted or replaced while open; writes "
                  "fail until the server is restarted",
                  db);
        s->file_lost = true;
        return ERR_STORE;
    }
    snprintf(shm, sizeof(shm), "%s-shm", db);
    if (unwritable(db) || unwritable(sqlite3_filename_wal(db)) || unwritable(shm)) {
        if (!s->file_unwritable)
            log_error("sqlite: the database files of '%s' cannot be written (%s); writes fail",
                      db, strerror(errno));
        s->file_unwritable = true;
        return ERR_STORE;
    }
    if (s->file_unwritable)
        log_info("sqlite: the database files of '%s' can be written again", db);
    s->file_unwritable = false;
    return ERR_OK;
}

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* A leftover WAL of a missing database must not be replayed into the new
 * one: it is set aside under a name that says so. */
static void set_aside(const char *path, const char *suffix, time_t now)
{
    char from[4200], to[4300];

    snprintf(from, sizeof(from), "%s%s", path, suffix);
    snprintf(to, sizeof(to), "%s%s.lost-%lld", path, suffix, (long long)now);
    if (exists(from) && rename(from, to) == 0)
        log_warn("sqlite: set the old '%s' aside as '%s'", from, to);
}

bool sq_file_may_open(const struct config *cfg, const char *path)
{
    char wal[4200];

    if (exists(path))
        return true;
    snprintf(wal, sizeof(wal), "%s-wal", path);
    if (!cfg->sqlite_key_found && !exists(wal))
        return true; /* a first start */
    if (!cfg->sqlite_create) {
        log_error("sqlite: the database '%s' is missing, but its %s shows it existed (deleted "
                  "or moved?); not creating an empty one. Restore the file, or start with "
                  "--sqlite-create on to begin a new, empty database",
                  path, exists(wal) ? "WAL" : "key file");
        return false;
    }
    log_warn("sqlite: the database '%s' is missing; creating a new, empty one (sqlite_create)",
             path);
    set_aside(path, "-wal", time(NULL));
    set_aside(path, "-shm", time(NULL));
    return true;
}
