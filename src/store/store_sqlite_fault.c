/* SPDX-License-Identifier: MIT */
/*
 * store/store_sqlite_fault.c - the VFS layers qunzu puts below SQLite, both
 * passing everything else to the default VFS:
 *
 * Faults, for the reliability tests (config key sqlite_fault_every): once
 * armed, every Nth write of the process fails with SQLITE_FULL (a disk that
 * filled up) and every Nth sync with SQLITE_IOERR_FSYNC (a device that
 * failed): SQLite's own recovery and the driver's answer to a failed COMMIT
 * are what is tested. Faults start only when armed, after start-up
 * (migrations, seed) is done.
 *
 * Gathered WAL writes (sq_wal_vfs), when every commit syncs the WAL
 * (synchronous=FULL or EXTRA): SQLite writes each WAL frame as two writes, a
 * 24-byte header and the page, so a commit of a hundred pages made two
 * hundred pwrite calls. A WAL file's writes that follow one another are
 * kept in a buffer and written as one when anything else happens to the
 * file: its sync (every commit's, before SQLite publishes the frames to
 * other connections in the WAL index, so none reads a frame not yet
 * written), a read, a write elsewhere, a truncation, a size or control
 * call, its close. What reaches the disk, and when it is synced, is what
 * SQLite asked for; a write that fails is reported by the call that flushes
 * it (the sync of the commit, which then fails). A WAL file's sync when
 * nothing was written through it since its last sync that succeeded (and
 * after its first) is skipped: a checkpoint syncs the WAL before it copies
 * frames into the database, and here every commit (synchronous FULL or
 * EXTRA, on every connection) synced its frames before SQLite let another
 * connection see them.
 */
#include "store/store_sqlite_int.h"

#include "core/arena.h"
#include "core/log.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define FAULT_VFS_NAME "qunzu-fault"
#define WAL_VFS_NAME "qunzu-wal"
#define WAL_GATHER (1024 * 1024) /* a commit's frames, a few hundred pages */

/* A WAL file's writes not yet passed on: 'len' bytes at 'off'; whether
 * it was written (or truncated) since its last sync that succeeded. */
struct gathered {
    unsigned char *p;
    size_t len;
    sqlite3_int64 off;
    bool dirty;
};

struct fault_file {
    sqlite3_file base;
    sqlite3_file *real;  /* follows this struct, szOsFile bytes */
    struct gathered *wal; /* sq_wal_vfs's WAL files, else NULL */
};

static sqlite3_vfs fault_vfs, wal_vfs;
static sqlite3_vfs *real_vfs;
static int64_t fault_every;
static atomic_bool fault_armed;
static atomic_llong fault_writes, fault_syncs;

static bool hit(atomic_llong *counter)
{
    return fault_every > 0 && atomic_load(&fault_armed)
           && (atomic_fetch_add(counter, 1) + 1) % fault_every == 0;
}

#define REAL(f) (((struct fault_file *)(f))->real)
#define WAL(f) (((struct fault_file *)(f))->wal)

/* Passes on what a WAL file gathered (nothing for any other file), in
 * writes of at most WAL_CHUNK bytes: the unix VFS writes at most 128 KiB - 1
 * in one call (it masks the length with 0x1ffff). */
#define WAL_CHUNK (124 * 1024)

static int flush(sqlite3_file *f)
{
    struct gathered *g = WAL(f);
    int rc = SQLITE_OK;

    if (g == NULL)
        return SQLITE_OK;
    for (size_t at = 0; at < g->len && rc == SQLITE_OK; at += WAL_CHUNK) {
        size_t n = g->len - at < WAL_CHUNK ? g->len - at : WAL_CHUNK;

        rc = REAL(f)->pMethods->xWrite(REAL(f), g->p + at, (int)n,
                                       g->off + (sqlite3_int64)at);
    }
    g->len = 0;
    return rc;
}

static int f_close(sqlite3_file *f)
{
    int rc = flush(f), rc2;

    if (WAL(f) != NULL) {
        free(WAL(f)->p);
        free(WAL(f));
        WAL(f) = NULL;
    }
    rc2 = REAL(f)->pMethods->xClose(REAL(f));
    return rc != SQLITE_OK ? rc : rc2;
}

static int f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    int rc = flush(f);

    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

/* A WAL file's write: added to what it gathered when it follows it. */
static bool gather(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off, int *rc)
{
    struct gathered *g = WAL(f);

    if (g == NULL || (size_t)n >= WAL_GATHER)
        return false;
    if (g->p == NULL) /* a reader's WAL file never writes: no buffer */
        g->p = xmalloc(WAL_GATHER);
    if (g->len > 0 && (off != g->off + (sqlite3_int64)g->len || g->len + (size_t)n > WAL_GATHER)) {
        *rc = flush(f);
        if (*rc != SQLITE_OK)
            return true;
    }
    if (g->len == 0)
        g->off = off;
    g->dirty = true;
    memcpy(g->p + g->len, buf, (size_t)n);
    g->len += (size_t)n;
    *rc = SQLITE_OK;
    return true;
}

static int f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    int rc;

    if (hit(&fault_writes)) {
        log_warn("sqlite: injected SQLITE_FULL on a write");
        return SQLITE_FULL;
    }
    if (gather(f, buf, n, off, &rc))
        return rc;
    if (WAL(f) != NULL)
        WAL(f)->dirty = true;
    rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = flush(f);

    if (WAL(f) != NULL)
        WAL(f)->dirty = true;
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
    int rc;

    if (hit(&fault_syncs)) {
        log_warn("sqlite: injected SQLITE_IOERR_FSYNC");
        return SQLITE_IOERR_FSYNC;
    }
    /* Nothing written through this WAL file since its last sync: every
     * commit synced its own frames, so a checkpoint's sync of the WAL
     * before it copies them has nothing to make durable. */
    if (WAL(f) != NULL && !WAL(f)->dirty)
        return SQLITE_OK;
    rc = flush(f);
    if (rc == SQLITE_OK)
        rc = REAL(f)->pMethods->xSync(REAL(f), flags);
    if (rc == SQLITE_OK && WAL(f) != NULL)
        WAL(f)->dirty = false;
    return rc;
}

static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
    int rc = flush(f);

    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int f_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int f_check_lock(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int f_control(sqlite3_file *f, int op, void *arg)
{
    int rc = flush(f);

    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int f_device(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int f_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

/* Version 3 methods; files whose real methods are older keep the real
 * version, so SQLite never calls what the real file lacks. */
static const sqlite3_io_methods fault_methods[4] = {
#define FAULT_METHODS(v)                                                                  \
    { v,          f_close,     f_read,        f_write,     f_truncate, f_sync,            \
      f_size,     f_lock,      f_unlock,      f_check_lock, f_control, f_sector,          \
      f_device,   f_shm_map,   f_shm_lock,    f_shm_barrier, f_shm_unmap, f_fetch,        \
      f_unfetch }
    FAULT_METHODS(0), FAULT_METHODS(1), FAULT_METHODS(2), FAULT_METHODS(3),
#undef FAULT_METHODS
};

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out)
{
    struct fault_file *f = (struct fault_file *)file;
    int rc;

    f->real = (sqlite3_file *)(f + 1);
    f->wal = NULL;
    rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out);
    if (rc != SQLITE_OK || f->real->pMethods == NULL) {
        file->pMethods = NULL;
        return rc;
    }
    if (vfs == &wal_vfs && (flags & SQLITE_OPEN_WAL)) {
        f->wal = xcalloc(1, sizeof(*f->wal));
        /* What an earlier process wrote and never synced (it stopped
         * between a commit's write and its sync) is synced by the first
         * sync of each connection's WAL file. */
        f->wal->dirty = true;
    }
    file->pMethods = &fault_methods[f->real->pMethods->iVersion > 3 ? 3
                                                                   : f->real->pMethods->iVersion];
    return SQLITE_OK;
}

static int v_delete(sqlite3_vfs *v, const char *name, int sync)
{
    (void)v;
    return real_vfs->xDelete(real_vfs, name, sync);
}

static int v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int v_full_path(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int v_randomness(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int v_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return real_vfs->xSleep(real_vfs, us);
}

static int v_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int v_last_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return real_vfs->xGetLastError(real_vfs, n, out);
}

static int v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static int registered_ok, wal_registered_ok;

static void register_once(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    fault_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile,
        .mxPathname = real_vfs->mxPathname,
        .zName = FAULT_VFS_NAME,
        .xOpen = v_open,
        .xDelete = v_delete,
        .xAccess = v_access,
        .xFullPathname = v_full_path,
        .xDlOpen = NULL,
        .xRandomness = v_randomness,
        .xSleep = v_sleep,
        .xCurrentTime = v_time,
        .xGetLastError = v_last_error,
        .xCurrentTimeInt64 = v_time64,
    };
    wal_vfs = fault_vfs;
    wal_vfs.zName = WAL_VFS_NAME;
    registered_ok = sqlite3_vfs_register(&fault_vfs, 0) == SQLITE_OK;
    wal_registered_ok = sqlite3_vfs_register(&wal_vfs, 0) == SQLITE_OK;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

const char *sq_fault_vfs(int64_t every)
{
    if (every <= 0)
        return NULL;
    fault_every = every; /* one value per process: the config's */
    pthread_once(&once, register_once);
    return registered_ok ? FAULT_VFS_NAME : NULL;
}

/* Never armed: fault_every stays 0 unless sq_fault_vfs set it, and then
 * the driver opens the faulting VFS instead. */
const char *sq_wal_vfs(void)
{
    pthread_once(&once, register_once);
    return wal_registered_ok ? WAL_VFS_NAME : NULL;
}

void sq_fault_arm(void)
{
    atomic_store(&fault_armed, true);
}
