import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { listen } from './support/calls.js';
import { eventually } from './support/livekit.js';
import { useStack, type StackHandle } from './support/stack.js';

/** Redis keys that must be back before a call can succeed: livekit's SIP state and its node. */
const TRUNKS = 'sip_inbound_trunk';
const RULES = 'sip_dispatch_rule';
/** livekit-server re-registers its node here on its next stats tick (every 2 s). */
const NODES = 'nodes';

describe('provisioning is never lost', () => {
  let stack: StackHandle;
  beforeAll(async () => {
    stack = await useStack();
  });

  it('after FLUSHALL, trunks, rule and the LiveKit node come back by themselves and one call succeeds', async () => {
    const redis = new Redis(stack.config.redis.url);
    try {
      await redis.flushall();
      const flushedAt = Date.now();
      expect(await redis.hlen(TRUNKS)).toBe(0);

      const wanted = stack.config.provisioning.inboundTrunks.length;
      const restoredMs = await eventually(
        async () =>
          (await redis.hlen(TRUNKS)) === wanted && (await redis.hlen(RULES)) > 0
            ? Date.now() - flushedAt
            : undefined,
        15_000,
        50,
      );
      expect(restoredMs, `${wanted} trunks and the rule restored`).toBeDefined();
      const nodeMs = await eventually(
        async () => ((await redis.hlen(NODES)) > 0 ? Date.now() - flushedAt : undefined),
        15_000,
        50,
      );
      expect(nodeMs, 'livekit-server registered its node again').toBeDefined();

      // Everything a call needs is back: a single call must now succeed.
      const call = await listen(3);
      expect(call.established).toBe(true);
      console.log(
        `[drift] after FLUSHALL: trunks and rule back in ${restoredMs} ms, LiveKit node in ${nodeMs} ms; call answered`,
      );
    } finally {
      redis.disconnect();
    }
  });
});
