import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLivekit, type TestLivekit } from '../../test/harness/livekit-server.js';
import { freePort } from '../../test/harness/free-port.js';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { parseConfig } from '../config/index.js';
import { binaryPath, pinnedVersion, unpatchedBinaryPath } from './binaries.js';
import { checkGoBinary, checkPorts, checkSharedRedis, runDoctor, type Finding } from './doctor.js';

/** A config whose ports nothing else on this machine uses, so a running dev stack cannot interfere. */
async function isolatedConfig(redisUrl: string, livekitUrl: string) {
  return parseConfig({
    livekit: { url: livekitUrl.replace(/^http/, 'ws'), port: await freePort() },
    redis: { url: redisUrl },
    sip: { port: await freePort(), healthPort: await freePort() },
    agent: { healthPort: await freePort() },
    controlPlane: { port: await freePort() },
  });
}

describe('doctor: one Redis for livekit-server and livekit-sip', () => {
  let mine: TestRedis;
  let other: TestRedis;
  let livekit: TestLivekit;
  beforeAll(async () => {
    [mine, other] = [await startRedis(), await startRedis()];
    // A real livekit-server on a second, private Redis: the misconfiguration doctor must catch.
    livekit = await startLivekit({ redisUrl: other.url });
  }, 60_000);
  afterAll(async () => {
    await livekit?.stop();
    await Promise.all([mine?.stop(), other?.stop()]);
  });

  const sharedRedis = async (redisUrl: string) => {
    const findings = await runDoctor(await isolatedConfig(redisUrl, livekit.url));
    return findings.find((f) => f.check === 'one redis for livekit and livekit-sip')!;
  };

  it('fails when livekit-server answers but uses another Redis', async () => {
    const finding = await sharedRedis(mine.url);
    expect(finding.ok).toBe(false);
    expect(finding.detail).toMatch(/^livekit-server answers but is not connected to redis:\/\//);
    expect(finding.fix).toMatch(/same Redis/);
  });

  it('passes when livekit-server is on the configured Redis (its channel is found there)', async () => {
    const finding = await sharedRedis(other.url);
    expect(finding).toMatchObject({ ok: true });
    expect(finding.detail).toMatch(/^livekit-server connected to .*; the other is not running$/);
  });

  it('fails when livekit-sip answers but is not on the configured Redis', async () => {
    const config = await isolatedConfig(mine.url, livekit.url);
    const finding = await checkSharedRedis(config, { livekit: false, sip: true });
    expect(finding.ok).toBe(false);
    expect(finding.detail).toMatch(/^livekit-sip answers but is not connected/);
  });

  it('fails when a service answers and the configured Redis does not', async () => {
    const config = await isolatedConfig(`redis://127.0.0.1:${await freePort()}`, livekit.url);
    const finding = await checkSharedRedis(config, { livekit: true, sip: false });
    expect(finding.ok).toBe(false);
    expect(finding.detail).toMatch(/livekit-server answer, but redis at .* does not/);
  });

  it('passes with "stack not running" only when neither service answers', async () => {
    const config = await isolatedConfig(mine.url, livekit.url);
    const finding = await checkSharedRedis(config, { livekit: false, sip: false });
    expect(finding).toMatchObject({ ok: true });
    expect(finding.detail).toMatch(/^stack not running/);
  });
});

describe('doctor: versions come from the binaries themselves', () => {
  let cache: string;
  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'sb-doctor-bin-'));
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  /** A stand-in binary at `path` (default the pinned one) that prints `output` for --version. */
  const fake = (
    name: 'livekit-server' | 'livekit-sip',
    output: string,
    path = binaryPath(name, cache),
  ) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `#!/bin/sh\necho '${output}'\n`);
    chmodSync(path, 0o755);
    // The stamp install.sh writes says the pin; doctor must not believe it over the binary.
    writeFileSync(join(dirname(path), 'VERSION'), `${pinnedVersion(name)}\n`);
  };

  it('passes when the binary reports the pinned version, naming the patches it carries', () => {
    const pinned = pinnedVersion('livekit-server');
    fake('livekit-server', `livekit-server version ${pinned.replace(/^v/, '')}`);
    const finding = checkGoBinary('livekit-server', pinned, cache);
    expect(finding).toMatchObject({ ok: true });
    expect(finding.detail).toMatch(
      /^v[\d.]+ at \S+, with deploy\/patches\/livekit-server \(\d+ patch(es)?\)$/,
    );
  });

  it('fails when only the unpatched build of a patched component is installed', () => {
    const pinned = pinnedVersion('livekit-server');
    const stockOnly = join(cache, 'stock-only');
    const stock = unpatchedBinaryPath('livekit-server', stockOnly);
    expect(stock).not.toBe(binaryPath('livekit-server', stockOnly));
    fake('livekit-server', `livekit-server version ${pinned.replace(/^v/, '')}`, stock);
    const finding = checkGoBinary('livekit-server', pinned, stockOnly);
    expect(finding).toMatchObject({ ok: false, fix: 'bash scripts/install.sh' });
    expect(finding.detail).toMatch(
      /^only an unpatched build at .*; the pinned build carries deploy\/patches\/livekit-server \(\d+ patch(es)?\)$/,
    );
    expect(finding.detail).toContain(stock);
  });

  it('fails when the binary reports another version, whatever the stamp says', () => {
    const pinned = pinnedVersion('livekit-server');
    fake('livekit-server', 'livekit-server version 1.0.0');
    const finding = checkGoBinary('livekit-server', pinned, cache);
    expect(finding.ok).toBe(false);
    expect(finding.detail).toBe(`reports v1.0.0, pinned ${pinned}`);
    expect(finding.fix).toMatch(/bash scripts\/install\.sh$/);
  });

  it('fails when livekit-sip was built without its version stamp', () => {
    const pinned = pinnedVersion('livekit-sip');
    fake('livekit-sip', 'SIP version 0.0.0-dev');
    const finding = checkGoBinary('livekit-sip', pinned, cache);
    expect(finding.ok).toBe(false);
    expect(finding.detail).toMatch(/^reports 0\.0\.0-dev: built without its version stamp/);
  });

  it('fails with the install fix when the binary is missing', () => {
    const finding = checkGoBinary('livekit-sip', 'v1.8.0', join(cache, 'empty'));
    expect(finding).toMatchObject({ ok: false, fix: 'bash scripts/install.sh' });
  });
});

describe('doctor: ports', () => {
  let squatter: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    squatter = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
  });
  afterAll(() => new Promise<void>((r) => squatter.close(() => r())));

  const allUp = { livekit: true, sip: true, agent: true, controlPlane: true };

  it('fails for a port held by something that is not its component, even if the rest of the stack answers', async () => {
    const config = parseConfig({
      controlPlane: { port: await freePort() },
      agent: { healthPort: port },
    });
    const finding = await checkPorts(config, { ...allUp, agent: false });
    expect(finding.ok).toBe(false);
    expect(finding.detail).toContain(`${port}/tcp (agent.healthPort)`);
  });

  it('passes for a port held by its own healthy component', async () => {
    const config = parseConfig({
      controlPlane: { port: await freePort() },
      agent: { healthPort: port },
    });
    const finding = await checkPorts(config, allUp);
    // Other default ports may be held by a dev stack on this machine; all are then its own.
    expect(finding.ok).toBe(true);
    expect(finding.detail).toContain(`${port}/tcp (agent.healthPort)`);
  });
});

describe('doctor: pilot checks', () => {
  const pilotCheck = 'sip-tls certificate and key files';
  const config = async (profile: 'dev' | 'pilot') =>
    parseConfig({
      profile,
      redis: { url: `redis://127.0.0.1:${await freePort()}` },
      livekit: { port: await freePort() },
      sip: {
        port: await freePort(),
        healthPort: await freePort(),
        ...(profile === 'pilot' && {
          publicAddress: '127.0.0.1',
          tls: {
            port: await freePort(),
            certFile: '/nonexistent/fullchain.pem',
            keyFile: '/nonexistent/privkey.pem',
          },
        }),
      },
      agent: { healthPort: await freePort() },
      controlPlane: { port: await freePort() },
      ...(profile === 'pilot' && {
        admission: { pseudonymKeys: [{ id: 'k1', secret: 'f'.repeat(64) }] },
        provisioning: {
          inboundTrunks: [{ name: 'carrier', allowedAddresses: ['192.0.2.0/24'] }],
          dispatchRules: [{ name: 'calls', trunks: ['carrier'] }],
        },
      }),
    });
  const checks = (findings: Finding[]) => findings.map((f) => f.check);

  it('runs them when the config says profile: pilot', async () => {
    const findings = await runDoctor(await config('pilot'));
    const finding = findings.find((f) => f.check === pilotCheck);
    expect(finding?.ok).toBe(false);
    expect(finding?.detail).toMatch(/^cannot read certFile \/nonexistent\/fullchain\.pem/);
    expect(checks(findings)).toContain('srtp required on inbound trunks');
  });

  it('runs them on a dev config with --profile pilot, and reports what pilot lacks', async () => {
    const findings = await runDoctor(await config('dev'), { profile: 'pilot' });
    expect(findings.find((f) => f.check === pilotCheck)).toMatchObject({
      ok: false,
      detail: 'sip.tls is not set: nothing serves SIP over TLS',
    });
    expect(findings.find((f) => f.check === 'plain sip off')).toMatchObject({
      ok: false,
      fix: 'sip.plain: false',
    });
  });

  it('leaves them out under dev, and when --profile dev overrides a pilot config', async () => {
    expect(checks(await runDoctor(await config('dev')))).not.toContain(pilotCheck);
    expect(checks(await runDoctor(await config('pilot'), { profile: 'dev' }))).not.toContain(
      pilotCheck,
    );
  });
});
