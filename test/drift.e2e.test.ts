import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { listen } from './support/calls.js';
import { useStack, type StackHandle } from './support/stack.js';

describe('provisioning is never lost', () => {
  let stack: StackHandle;
  beforeAll(async () => {
    stack = await useStack();
  });

  it('after FLUSHALL, a softphone call succeeds again within 15 s with nobody doing anything', async () => {
    const redis = new Redis(stack.config.redis.url);
    await redis.flushall();
    const flushedAt = Date.now();
    expect(await redis.hlen('sip_inbound_trunk')).toBe(0);
    redis.disconnect();

    // The reconciler notices the flush within its 1 s poll. A call placed inside that window rings
    // unanswered (livekit-sip finds no trunk and no rule), so the caller dials once they are back.
    const watcher = new Redis(stack.config.redis.url);
    while ((await watcher.hlen('sip_dispatch_rule')) === 0 && Date.now() - flushedAt < 15_000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    watcher.disconnect();
    const restoredMs = Date.now() - flushedAt;
    // livekit-server re-registers its own node in Redis a few seconds after the wipe; until then
    // a call fails fast, so the caller simply dials again.
    let established = false;
    while (!established && Date.now() - flushedAt < 15_000) {
      established = (await listen(3)).established;
      if (!established) await new Promise((r) => setTimeout(r, 500));
    }
    expect(established).toBe(true);
    expect(Date.now() - flushedAt).toBeLessThan(15_000);
    console.log(
      `[drift] trunks and rules restored ${restoredMs} ms after FLUSHALL; call answered ${Date.now() - flushedAt} ms after it`,
    );
  });
});
