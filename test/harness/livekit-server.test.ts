import { describe, expect, it } from 'vitest';
import { SipClient } from 'livekit-server-sdk';
import { binaryFolder, binaryPath, pinnedVersion } from '../../src/stack/index.js';
import { startLivekit } from './livekit-server.js';
import { startRedis } from './redis-server.js';

describe('livekit-server test helper', () => {
  it('resolves the pinned binary from versions.env and the cache override', () => {
    expect(pinnedVersion('livekit-server')).toMatch(/^v\d+\.\d+\.\d+$/);
    // Patched (deploy/patches/livekit-server): the folder names the patches' hash too.
    expect(binaryFolder('livekit-server')).toMatch(
      new RegExp(`^livekit-server-${pinnedVersion('livekit-server')}-p[0-9a-f]{8}$`),
    );
    expect(binaryPath('livekit-server', '/opt/bin')).toBe(
      `/opt/bin/${binaryFolder('livekit-server')}/livekit-server`,
    );
    // An empty SWITCHBOARD_BIN_CACHE means the default, as in install.sh's ${VAR:-default}.
    expect(binaryPath('livekit-sip', '')).toBe(binaryPath('livekit-sip'));
    expect(binaryPath('livekit-sip')).toMatch(
      /\/\.cache\/switchboard\/bin\/livekit-sip-v[^/]+\/livekit-sip$/,
    );
    expect(() => pinnedVersion('no-such-thing')).toThrow(
      /versions.env has no NO_SUCH_THING_VERSION/,
    );
  });

  it('starts a server whose SIP API works with Redis and no livekit-sip', async () => {
    const redis = await startRedis();
    const livekit = await startLivekit({ redisUrl: redis.url });
    try {
      const sip = new SipClient(livekit.url, livekit.apiKey, livekit.apiSecret);
      const trunk = await sip.createSipInboundTrunk('probe', [], {
        authUsername: 'probe',
        authPassword: 'probe-password-long',
      });
      expect((await sip.listSipInboundTrunk()).map((t) => t.sipTrunkId)).toEqual([
        trunk.sipTrunkId,
      ]);
    } finally {
      await livekit.stop();
      await redis.stop();
    }
    expect(livekit.process.exitCode !== null || livekit.process.signalCode !== null).toBe(true);
  });
});
