/* SPDX-License-Identifier: MIT */
/*
 * events/ev_ws_frame.c - the pbbp2 frames of a long connection (events-ws
 * 4-6): reading client pings and acks, writing pongs and event chunks.
 * Encoding and decoding are protoc-c's code generated from
 * proto/pbbp2.proto; this file only fills and reads its structs.
 */
#include "events/ev_ws.h"

#include "config/config.h"
#include "core/arena.h"

#include "pbbp2.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ev_ws_client_config(const struct config *cfg, char *out, size_t n)
{
    snprintf(out, n,
             "{\"ReconnectCount\":%lld,\"ReconnectInterval\":%lld,\"ReconnectNonce\":%lld,"
             "\"PingInterval\":%lld}",
             (long long)cfg->ws_reconnect_count, (long long)cfg->ws_reconnect_interval,
             (long long)cfg->ws_reconnect_nonce, (long long)cfg->ws_ping_interval);
}

static const char *header(const Pbbp2__Frame *f, const char *key)
{
    for (size_t i = 0; i < f->n_headers; i++)
        if (strcmp(f->headers[i]->key, key) == 0)
            return f->headers[i]->value;
    return NULL;
}

bool ev_frame_parse(const uint8_t *data, size_t len, struct ev_frame *f)
{
    Pbbp2__Frame *pb = pbbp2__frame__unpack(NULL, len, data);

    memset(f, 0, sizeof(*f));
    if (pb == NULL)
        return false;
    f->pb = pb;
    f->method = pb->method;
    f->service = pb->service;
    f->type = header(pb, "type");
    f->message_id = header(pb, "message_id");
    if (pb->has_payload) {
        f->payload = pb->payload.data;
        f->payload_len = pb->payload.len;
    }
    return true;
}

void ev_frame_free(struct ev_frame *f)
{
    if (f->pb != NULL)
        pbbp2__frame__free_unpacked(f->pb, NULL);
    f->pb = NULL;
}

static uint8_t *pack(const Pbbp2__Frame *f, size_t *len)
{
    uint8_t *buf;

    *len = pbbp2__frame__get_packed_size(f);
    buf = xcalloc(1, *len ? *len : 1);
    pbbp2__frame__pack(f, buf);
    return buf;
}

uint8_t *ev_frame_pong(int32_t service, const char *client_config, size_t *len)
{
    Pbbp2__Frame f = PBBP2__FRAME__INIT;
    Pbbp2__Header type = PBBP2__HEADER__INIT, *hs[1] = { &type };

    type.key = "type";
    type.value = "pong";
    f.service = service;
    f.method = 0;
    f.n_headers = 1;
    f.headers = hs;
    f.has_payload = 1;
    f.payload.data = (uint8_t *)client_config;
    f.payload.len = strlen(client_config);
    return pack(&f, len);
}

uint8_t *ev_frame_event(const struct ev_chunk *c, size_t *len)
{
    Pbbp2__Frame f = PBBP2__FRAME__INIT;
    Pbbp2__Header h[6], *hs[6];
    char sum[16], seq[16], ts[24];
    const char *kv[6][2] = {
        { "type", "event" }, { "message_id", c->message_id }, { "sum", sum },
        { "seq", seq },      { "trace_id", c->trace_id },     { "timestamp", ts },
    };

    snprintf(sum, sizeof(sum), "%d", c->sum);
    snprintf(seq, sizeof(seq), "%d", c->seq);
    snprintf(ts, sizeof(ts), "%lld", (long long)c->timestamp_ms);
    for (int i = 0; i < 6; i++) {
        pbbp2__header__init(&h[i]);
        h[i].key = (char *)kv[i][0];
        h[i].value = (char *)kv[i][1];
        hs[i] = &h[i];
    }
    f.seqid = c->seq_id;
    f.logid = 0;
    f.service = c->service;
    f.method = 1;
    f.n_headers = 6;
    f.headers = hs;
    f.has_payload = 1;
    f.payload.data = (uint8_t *)c->payload;
    f.payload.len = c->payload_len;
    return pack(&f, len);
}
