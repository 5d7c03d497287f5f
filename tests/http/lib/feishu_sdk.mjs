// tests/http/lib/feishu_sdk.mjs - a client of the official Feishu Node SDK
// (@larksuiteoapi/node-sdk) for the SDK tests, pointed at a started server by its
// `domain` option only.

import * as lark from '@larksuiteoapi/node-sdk';
import { APP1 } from './feishu.mjs';

/**
 * A lark.Client for APP1 against 'srv', quiet but for errors, with a token cache of its
 * own (the SDK's default cache is process-wide). 'extra' overrides any option; pass
 * { cache: undefined } for the SDK's shared default cache.
 */
export function sdkClient(srv, extra = {}) {
    return new lark.Client({
        appId: APP1.app_id,
        appSecret: APP1.app_secret,
        domain: srv.url,
        appType: lark.AppType.SelfBuild,
        loggerLevel: lark.LoggerLevel.error,
        cache: { m: new Map(), async set(k, v) { this.m.set(k, v); return true; }, async get(k) { return this.m.get(k); } },
        ...extra,
    });
}
