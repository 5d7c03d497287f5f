/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_multipart.c - multipart/form-data as the official SDKs
 * send it ("Upload an image", "Upload a file"): Node (Buffer: no filename; stream: filename and
 * type), Go (random part order, "unknown-file"), Python (no filename, no
 * Content-Type, an empty part); binary bytes; quoted boundaries, preambles.
 */
#include "unit.h"

#include "core/arena.h"
#include "http/multipart.h"

static const unsigned char BIN[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0,
                                     '\r', '\n', '-', '-', 'x', '\r', '\n', 0xff };

/* A body from parts: "H" headers (CRLF-separated, may be ""), then data. */
static size_t body_of(char *out, const char *boundary, const char *preamble,
                      const char *const *heads, const unsigned char *const *data,
                      const size_t *lens, int n)
{
    size_t o = 0;

    o += (size_t)sprintf(out + o, "%s", preamble);
    for (int i = 0; i < n; i++) {
        o += (size_t)sprintf(out + o, "--%s\r\n%s\r\n\r\n", boundary, heads[i]);
        memcpy(out + o, data[i], lens[i]);
        o += lens[i];
        o += (size_t)sprintf(out + o, "\r\n");
    }
    o += (size_t)sprintf(out + o, "--%s--\r\n", boundary);
    return o;
}

static void mp_node_buffer(void)
{
    struct arena a;
    char body[2048];
    const char *heads[] = { "Content-Disposition: form-data; name=\"image_type\"",
                            "Content-Disposition: form-data; name=\"image\"\r\n"
                            "Content-Type: application/octet-stream" };
    const unsigned char *data[] = { (const unsigned char *)"message", BIN };
    size_t lens[] = { 7, sizeof(BIN) };
    size_t len = body_of(body, "--------------------------123456789012345678901234", "", heads,
                         data, lens, 2);
    struct mp_part *p;
    size_t n;

    arena_init(&a, 4096);
    CHECK(mp_parse(&a, "multipart/form-data; boundary=--------------------------123456789012345678901234",
                   body, len, &p, &n) == ERR_OK);
    CHECK(n == 2);
    CHECK_STR(p[0].name, "image_type");
    CHECK(p[0].len == 7 && memcmp(p[0].data, "message", 7) == 0);
    CHECK(p[0].filename == NULL && p[0].content_type == NULL);
    CHECK_STR(mp_find(p, n, "image")->content_type, "application/octet-stream");
    CHECK(p[1].len == sizeof(BIN) && memcmp(p[1].data, BIN, sizeof(BIN)) == 0);
    CHECK(mp_find(p, n, "nope") == NULL);
    arena_release(&a);
}

static void mp_go_python_forms(void)
{
    struct arena a;
    char body[2048];
    /* Go: the file part first, "unknown-file"; Python: no filename, no type, an empty part. */
    const char *heads[] = { "Content-Disposition: form-data; name=\"file\"; filename=\"unknown-file\"\r\n"
                            "Content-Type: application/octet-stream",
                            "Content-Disposition: form-data; name=\"file_name\"",
                            "Content-Disposition: form-data; name=\"duration\"",
                            "content-disposition: form-data; name=\"file_type\";" };
    const unsigned char *data[] = { BIN, (const unsigned char *)"报告.pdf", (const unsigned char *)"",
                                    (const unsigned char *)"pdf" };
    size_t lens[] = { sizeof(BIN), strlen("报告.pdf"), 0, 3 };
    size_t len = body_of(body, "0123456789abcdef", "a preamble\r\n", heads, data, lens, 4);
    struct mp_part *p;
    size_t n;

    arena_init(&a, 4096);
    CHECK(mp_parse(&a, "multipart/form-data; boundary=\"0123456789abcdef\"", body, len, &p, &n)
          == ERR_OK);
    CHECK(n == 4);
    CHECK_STR(p[0].filename, "unknown-file");
    CHECK(p[0].len == sizeof(BIN) && memcmp(p[0].data, BIN, sizeof(BIN)) == 0);
    CHECK(mp_find(p, n, "file_name")->len == strlen("报告.pdf"));
    CHECK(memcmp(mp_find(p, n, "file_name")->data, "报告.pdf", strlen("报告.pdf")) == 0);
    CHECK(mp_find(p, n, "duration")->len == 0);
    CHECK(mp_find(p, n, "file_type") != NULL && mp_find(p, n, "file_type")->len == 3);
    arena_release(&a);
}

static void mp_raw_filename_and_refusals(void)
{
    struct arena a;
    char body[2048];
    const char *heads[] = { "Content-Disposition: form-data; name=\"file\"; filename=\"周报.pdf\"\r\n"
                            "Content-Type: application/pdf" };
    const unsigned char *data[] = { (const unsigned char *)"%PDF-1.4" };
    size_t lens[] = { 8 };
    size_t len = body_of(body, "b", "", heads, data, lens, 1);
    struct mp_part *p;
    size_t n;

    arena_init(&a, 4096);
    CHECK(mp_parse(&a, "multipart/form-data; boundary=b", body, len, &p, &n) == ERR_OK);
    CHECK(n == 1);
    CHECK_STR(p[0].filename, "周报.pdf");
    CHECK_STR(p[0].content_type, "application/pdf");
    CHECK(mp_parse(&a, "application/json", body, len, &p, &n) == ERR_MALFORMED);
    CHECK(mp_parse(&a, "multipart/form-data", body, len, &p, &n) == ERR_MALFORMED);
    CHECK(mp_parse(&a, NULL, body, len, &p, &n) == ERR_MALFORMED);
    CHECK(mp_parse(&a, "multipart/form-data; boundary=b", "{}", 2, &p, &n) == ERR_OK);
    CHECK(n == 0);
    arena_release(&a);
}

const struct unit_case multipart_cases[] = {
    { "http/multipart_node_buffer", mp_node_buffer },
    { "http/multipart_go_python_forms", mp_go_python_forms },
    { "http/multipart_raw_filename_and_refusals", mp_raw_filename_and_refusals },
    { NULL, NULL },
};
