/* SPDX-License-Identifier: MIT */
/*
 * dialect/dialect_runner.c - the operator runner: one thread with a database
 * connection of its own that runs the admin calls which may take long
 * (routes flagged R_DETACH: a snapshot's save and restore, a tenant's
 * delete and reset), one after the other. The worker that received such a
 * call defers it (http_defer) and goes back to its event loop, so its other
 * connections are served meanwhile; the runner answers (http_finish) when
 * the call is done. At shutdown the calls not yet started are failed busy;
 * the running one ends on its own (the worker waits for it).
 */
#include "dialect/dialect.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/log.h"

#include <pthread.h>
#include <stdlib.h>

struct runner_job {
    struct runner_job *next;
    void (*run)(void *arg, struct store *st, bool cancelled);
    void *arg;
};

struct dialect_runner {
    struct store *st;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct runner_job *head, **tail;
    bool stop, cancelled;
};

static void *runner_main(void *arg)
{
    struct dialect_runner *rn = arg;

    for (;;) {
        struct runner_job *j;
        bool cancelled;

        pthread_mutex_lock(&rn->lock);
        while (rn->head == NULL && !rn->stop)
            pthread_cond_wait(&rn->cond, &rn->lock);
        j = rn->head;
        if (j != NULL) {
            rn->head = j->next;
            if (rn->head == NULL)
                rn->tail = &rn->head;
        }
        cancelled = rn->cancelled;
        pthread_mutex_unlock(&rn->lock);
        if (j == NULL)
            break;
        j->run(j->arg, rn->st, cancelled);
        free(j);
    }
    return NULL;
}

struct dialect_runner *dialect_runner_start(struct app *app)
{
    struct dialect_runner *rn = xcalloc(1, sizeof(*rn));

    rn->st = svc_db_open(app->cfg);
    if (rn->st == NULL) {
        free(rn);
        return NULL;
    }
    /* Writes take the group's connection in turn with its batches. */
    svc_db_attach(rn->st, app->group, true);
    rn->tail = &rn->head;
    pthread_mutex_init(&rn->lock, NULL);
    pthread_cond_init(&rn->cond, NULL);
    if (pthread_create(&rn->thread, NULL, runner_main, rn) != 0) {
        log_error("cannot start the operator runner thread");
        svc_db_close(rn->st);
        free(rn);
        return NULL;
    }
    return rn;
}

bool dialect_runner_submit(struct dialect_runner *rn,
                           void (*run)(void *arg, struct store *st, bool cancelled), void *arg)
{
    struct runner_job *j;

    if (rn == NULL)
        return false;
    j = xcalloc(1, sizeof(*j));
    j->run = run;
    j->arg = arg;
    pthread_mutex_lock(&rn->lock);
    *rn->tail = j;
    rn->tail = &j->next;
    pthread_cond_signal(&rn->cond);
    pthread_mutex_unlock(&rn->lock);
    return true;
}

void dialect_runner_cancel(struct dialect_runner *rn)
{
    if (rn == NULL)
        return;
    pthread_mutex_lock(&rn->lock);
    rn->cancelled = true;
    pthread_mutex_unlock(&rn->lock);
}

void dialect_runner_stop(struct dialect_runner *rn)
{
    if (rn == NULL)
        return;
    pthread_mutex_lock(&rn->lock);
    rn->stop = true;
    rn->cancelled = true;
    pthread_cond_signal(&rn->cond);
    pthread_mutex_unlock(&rn->lock);
    pthread_join(rn->thread, NULL);
    svc_db_close(rn->st);
    pthread_mutex_destroy(&rn->lock);
    pthread_cond_destroy(&rn->cond);
    free(rn);
}
