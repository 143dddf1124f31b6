import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { createLogger } from '../telemetry/index.js';
import { EdgeError, listSources } from './sip-edge.js';
import {
  authFailureSource,
  createFailureCounter,
  startSipEdge,
  tapLines,
} from './sip-edge-watch.js';

/** livekit-sip v1.8.0's warn line for a wrong password, as its JSON logger writes it. */
const wrongPassword = JSON.stringify({
  level: 'warn',
  ts: 1767000000.5,
  caller: 'sip/inbound.go:303',
  msg: 'Authentication failed - response mismatch',
  callID: 'SCL_x',
  fromIP: '10.78.1.2',
  fromUser: 'e2e_0123456789abcdef0123456789abcdef',
  method: 'INVITE',
  error: 'response mismatch',
});

describe('failed digest logins in livekit-sip output', () => {
  it('reads the source address of a failed login, never anything else', () => {
    expect(authFailureSource(wrongPassword)).toBe('10.78.1.2');
    const wrongUser = wrongPassword
      .replace('response mismatch', 'username mismatch')
      .replace('10.78.1.2', '2001:db8::9');
    expect(authFailureSource(wrongUser)).toBe('2001:db8::9');
  });

  it('ignores the challenge, successes, other warnings and garbage', () => {
    const line = (msg: string) =>
      wrongPassword.replace('Authentication failed - response mismatch', msg);
    expect(
      authFailureSource(
        line(
          'No Proxy header found. Sending 407 Unauthorized response with Proxy-Authenticate header',
        ),
      ),
    ).toBeUndefined();
    expect(authFailureSource(line('SIP invite authentication successful'))).toBeUndefined();
    expect(authFailureSource(line("Rejecting inbound, doesn't match any Trunks"))).toBeUndefined();
    expect(
      authFailureSource('Authentication failed - response mismatch {not json'),
    ).toBeUndefined();
    expect(authFailureSource(wrongPassword.replace('10.78.1.2', 'not-an-ip'))).toBeUndefined();
  });

  it('counts failures per source in a sliding window and fires once at the limit', () => {
    let now = 0;
    const counter = createFailureCounter({ maxFailures: 3, windowMs: 10_000, now: () => now });
    expect(counter.record('a')).toBeUndefined();
    now = 5000;
    expect(counter.record('a')).toBeUndefined();
    expect(counter.record('b')).toBeUndefined();
    now = 12_000; // the first failure of 'a' left the window
    expect(counter.record('a')).toBeUndefined();
    expect(counter.record('a')).toBe(3);
    expect(counter.record('a')).toBeUndefined(); // forgotten once blocked
    expect(counter.record('b')).toBeUndefined();
  });

  it('taps whole lines across chunks without consuming the stream for others', async () => {
    const stream = new PassThrough();
    const seen: string[] = [];
    const piped: string[] = [];
    stream.pipe(new PassThrough()).on('data', (d: Buffer) => piped.push(d.toString()));
    tapLines(stream, (l) => seen.push(l));
    stream.write(wrongPassword.slice(0, 40));
    stream.write(`${wrongPassword.slice(40)}\nsecond`);
    stream.end('\n');
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([wrongPassword, 'second']);
    expect(piped.join('')).toBe(`${wrongPassword}\nsecond\n`);
  });
});

describe('startSipEdge', () => {
  const logged = () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger(
      { level: 'debug' },
      { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) },
    );
    return { lines, logger };
  };
  const noNft = () =>
    Promise.reject(new EdgeError('cannot load the SIP edge (nft): Operation not permitted'));

  it('without nft: dev warns and runs without it; pilot and enabled: true refuse to start', async () => {
    const { lines, logger } = logged();
    const dev = await startSipEdge({ config: parseConfig({}), logger, apply: noNft });
    expect(dev.active).toBe(false);
    expect(lines.at(-1)).toMatchObject({ level: 40, component: 'sip-edge' });
    expect(String(lines.at(-1)!.msg)).toMatch(/SIP edge off/);
    await expect(
      startSipEdge({
        config: parseConfig({ sip: { edge: { enabled: true } } }),
        logger,
        apply: noNft,
      }),
    ).rejects.toThrow(/Operation not permitted/);
    // Only the profile matters here (a whole pilot config needs certificates and secrets).
    const pilot = { ...parseConfig({}), profile: 'pilot' as const };
    await expect(startSipEdge({ config: pilot, logger, apply: noNft })).rejects.toThrow(EdgeError);
  });

  it('enabled: false loads nothing', async () => {
    let called = false;
    const edge = await startSipEdge({
      config: parseConfig({ sip: { edge: { enabled: false } } }),
      logger: logged().logger,
      apply: async () => void (called = true),
    });
    expect(edge.active).toBe(false);
    expect(called).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'blocks a source in the kernel after N failure lines from livekit-sip, logging only its address',
    async () => {
      const deployment = `sb-edge-watch-${process.pid}`;
      const config = parseConfig({
        deployment,
        sip: { port: 55998, edge: { maxAuthFailures: 3, blockSeconds: 30 } },
      });
      const { lines, logger } = logged();
      const edge = await startSipEdge({ config, logger });
      try {
        const out = new PassThrough();
        edge.watch([out]);
        for (let i = 0; i < 2; i++) out.write(`${wrongPassword}\n`);
        await new Promise((r) => setTimeout(r, 200));
        expect(await listSources(deployment, 'blocked')).toEqual([]);
        out.write(`${wrongPassword}\n`);
        const deadline = Date.now() + 2000;
        while (!lines.some((l) => l.msg === 'SIP source blocked after failed digest logins')) {
          if (Date.now() > deadline) throw new Error('no block logged');
          await new Promise((r) => setTimeout(r, 20));
        }
        const blocked = await listSources(deployment, 'blocked');
        expect(blocked.map((b) => b.address)).toEqual(['10.78.1.2']);
        expect(blocked[0]!.expires).toBeGreaterThan(25);
        const line = lines.find((l) => l.msg === 'SIP source blocked after failed digest logins')!;
        expect(line).toMatchObject({ source: '10.78.1.2', failures: 3, blockSeconds: 30 });
        expect(JSON.stringify(line)).not.toContain('e2e_');
      } finally {
        edge.stop();
      }
      expect(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' })).not.toContain(
        deployment.replace(/-/g, '_'),
      );
    },
  );
});
