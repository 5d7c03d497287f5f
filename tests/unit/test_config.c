/* SPDX-License-Identifier: MIT */
/* tests/unit/test_config.c - sources in order, validation naming the key. */
#include "unit.h"

#include "config/config.h"

#include <stdlib.h>
#include <unistd.h>

static int load(struct config *c, char **argv, const char *const *env, char *err)
{
    int argc = 0;

    while (argv[argc] != NULL)
        argc++;
    return config_load(c, argc, argv, env, err, 256);
}

static void defaults(void)
{
    struct config c;
    char err[256];
    char *argv[] = { "qunzu", NULL };
    const char *env[] = { NULL };

    CHECK(load(&c, argv, env, err) == 0);
    CHECK_STR(c.listen_host, "127.0.0.1");
    CHECK(c.listen_port == 8080);
    CHECK(c.threads == 2 && c.body_limit == 1048576 && c.demo);
    CHECK_STR(c.sqlite_synchronous, "full");
    CHECK(c.admin_token == NULL);
    config_release(&c);
}

static void order(void)
{
    struct config c;
    char err[256], path[] = "/tmp/qz-unit-XXXXXX";
    int fd = mkstemp(path);
    const char *text = "# comment\nthreads = 3\nlog_level = \"debug\"\nbody_limit = 2048\n";
    char cfgflag[64];

    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    snprintf(cfgflag, sizeof(cfgflag), "--config=%s", path);
    {
        char *argv[] = { "qunzu", cfgflag, "--threads", "5", NULL };
        const char *env[] = { "QUNZU_THREADS=4", "QUNZU_BODY_LIMIT=4096", NULL };

        CHECK(load(&c, argv, env, err) == 0);
        CHECK(c.threads == 5);         /* flag beats env beats file */
        CHECK(c.body_limit == 4096);   /* env beats file */
        CHECK_STR(c.log_level, "debug"); /* file beats default */
        config_release(&c);
    }
    unlink(path);
}

static void invalid(void)
{
    struct config c;
    char err[256];
    const char *env[] = { NULL };
    char *a1[] = { "qunzu", "--threads", "0", NULL };
    char *a2[] = { "qunzu", "--listen", "nonsense", NULL };
    char *a3[] = { "qunzu", "--db", "mysql://x", NULL };
    char *a4[] = { "qunzu", "--no-such-key", "1", NULL };
    char *a5[] = { "qunzu", "--log-level=loud", NULL };
    const char *env2[] = { "QUNZU_THREADS=abc", NULL };
    char *a6[] = { "qunzu", NULL };

    CHECK(load(&c, a1, env, err) != 0 && strstr(err, "'threads'") != NULL);
    config_release(&c);
    CHECK(load(&c, a2, env, err) != 0 && strstr(err, "'listen'") != NULL);
    config_release(&c);
    CHECK(load(&c, a3, env, err) != 0 && strstr(err, "'db'") != NULL);
    config_release(&c);
    CHECK(load(&c, a4, env, err) != 0 && strstr(err, "no-such-key") != NULL);
    config_release(&c);
    CHECK(load(&c, a5, env, err) != 0 && strstr(err, "'log_level'") != NULL);
    config_release(&c);
    CHECK(load(&c, a6, env2, err) != 0 && strstr(err, "QUNZU_THREADS") != NULL);
    config_release(&c);
}

static void file_line(void)
{
    struct config c;
    char err[256], path[] = "/tmp/qz-unit-XXXXXX";
    int fd = mkstemp(path);
    const char *text = "threads = 2\n\nbogus = 1\n";
    char *argv[] = { "qunzu", "--config", path, NULL };
    const char *env[] = { NULL };

    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    CHECK(load(&c, argv, env, err) != 0);
    CHECK(strstr(err, ":3:") != NULL && strstr(err, "bogus") != NULL);
    config_release(&c);
    unlink(path);
}

static void listen_parse(void)
{
    char host[64];
    int port;

    CHECK(config_parse_listen("127.0.0.1:0", host, sizeof(host), &port) == 0 && port == 0);
    CHECK(config_parse_listen("[::1]:8080", host, sizeof(host), &port) == 0 && port == 8080);
    CHECK_STR(host, "::1");
    CHECK(config_parse_listen(":80", host, sizeof(host), &port) != 0);
    CHECK(config_parse_listen("h:65536", host, sizeof(host), &port) != 0);
    CHECK(config_parse_listen("h", host, sizeof(host), &port) != 0);
}

static void print_masks_secret(void)
{
    struct config c;
    char err[256], *buf = NULL;
    size_t len = 0;
    char *argv[] = { "qunzu", "--admin-token", "supersecret-token", NULL };
    const char *env[] = { NULL };
    FILE *f;

    CHECK(load(&c, argv, env, err) == 0);
    f = open_memstream(&buf, &len);
    config_print(&c, f, false);
    fclose(f);
    CHECK(strstr(buf, "supersecret") == NULL);
    CHECK(strstr(buf, "admin_token = ********") != NULL);
    CHECK(strstr(buf, "threads = 2") != NULL);
    free(buf);
    config_release(&c);
}

const struct unit_case config_cases[] = {
    { "config/defaults", defaults },
    { "config/order", order },
    { "config/invalid", invalid },
    { "config/file_line", file_line },
    { "config/listen_parse", listen_parse },
    { "config/print_masks_secret", print_masks_secret },
    { NULL, NULL },
};
