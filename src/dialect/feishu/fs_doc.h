/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_doc.h - the legacy doc model of chat announcements
 * (fs_doc.c). Private to dialect/feishu.
 */
#ifndef QZ_DIALECT_FS_DOC_H
#define QZ_DIALECT_FS_DOC_H

#include "json/json.h"

/* An empty document: an empty title and one empty paragraph. Caller-owned. */
json_t *fs_doc_new(void);
/* Applies one OperationRequest object to 'doc'; ERR_BAD_REQUEST if it is
 * malformed, unsupported or does not fit the document. */
enum err fs_doc_apply(json_t *doc, json_t *req);

#endif
