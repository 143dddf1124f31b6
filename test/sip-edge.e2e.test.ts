import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from './harness/redis-server.js';
import { silenceWav, voicedSeconds } from './support/audio.js';
import { callWithBaresip, type CallResult } from './support/baresip.js';
import { WAV_DIR } from './support/calls.js';
import { scanForPhoneNumbers } from './support/leak-scan.js';
import { activeJobs, roomService } from './support/livekit.js';
import { createHosts, execOnAsync, type ExternalHost } from './support/netns.js';
import { ROOT, startUp, stopStack, type StackHandle } from './support/stack.js';
import { listSources } from '../src/stack/sip-edge.js';
import { flood, floodFigures, livekitSipPid, sippCounter, sippOn } from './sipp/run.js';

const CONFIG = join(ROOT, 'test', 'e2e', 'sip-edge.e2e.yaml');
const DEPLOYMENT = 'switchboard-edge-e2e';
const SIPP = join(ROOT, 'test', 'sipp');
const TORTURE = join(ROOT, 'test', 'sip-torture');
const PORT = 55060;
const PASSWORD = 'e2e-edge-softphone-password';

/** Every flood and probe here goes to 10.78.0.1, this host's end of the test's own links. */
const LINKS = [
  { netns: 'sb-edge-caller', hostSide: 'sbedge-gw0', nsSide: 'sbedge-c0', net: '10.78.0' },
  { netns: 'sb-edge-guesser', hostSide: 'sbedge-gw1', nsSide: 'sbedge-g0', net: '10.78.1' },
  { netns: 'sb-edge-scanner', hostSide: 'sbedge-gw2', nsSide: 'sbedge-s0', net: '10.78.2' },
  { netns: 'sb-edge-torture', hostSide: 'sbedge-gw3', nsSide: 'sbedge-t0', net: '10.78.3' },
];

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** `up`'s own JSON log lines with this message. */
function logLines(stack: StackHandle, msg: string): Array<Record<string, unknown>> {
  return stack
    .output()
    .split('\n')
    .filter((l) => l.includes(msg))
    .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>);
}

describe('SIP edge: floods, password guessing and malformed SIP at the gateway', () => {
  let redis: TestRedis;
  let stack: StackHandle;
  let net: ReturnType<typeof createHosts>;
  let caller: ExternalHost, guesser: ExternalHost, scanner: ExternalHost, torture: ExternalHost;
  let sipPid: number;

  beforeAll(async () => {
    net = createHosts(LINKS);
    [caller, guesser, scanner, torture] = net.hosts as [
      ExternalHost,
      ExternalHost,
      ExternalHost,
      ExternalHost,
    ];
    redis = await startRedis();
    process.env.SWITCHBOARD_E2E_EDGE_REDIS = redis.url;
    stack = await startUp(CONFIG);
    sipPid = livekitSipPid(stack.runDir);
  });

  afterAll(async () => {
    if (stack) await stopStack(stack);
    await redis?.stop();
    net?.remove();
  });

  const legitimateCall = (name: string): Promise<CallResult> =>
    callWithBaresip({
      username: 'softphone',
      password: PASSWORD,
      target: `sip:edge@${net.gatewayAddress}:${PORT}`,
      host: caller,
      playWav: silenceWav(join(WAV_DIR, `edge-${name}.wav`), 6, 16000),
      codecs: ['G722'],
      maxSeconds: 25,
    });

  it('a flood of INVITEs and OPTIONS from an address no trunk allows: 0 rooms, 0 jobs, a call during it is answered', async () => {
    const rooms = roomService(stack);
    const seenRooms = new Set<string>();
    let maxJobs = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        for (const room of await rooms.listRooms()) seenRooms.add(room.name);
        maxJobs = Math.max(maxJobs, await activeJobs(stack));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const started = Date.now();
    // 2,000 messages (INVITE and OPTIONS) at 400/s over UDP: 5 s.
    const flooding = flood(scanner, `${net.gatewayAddress}:${PORT}`, 2000, 400);
    // The legitimate call starts in the middle of the flood.
    await new Promise((r) => setTimeout(r, 1500));
    const call = await legitimateCall('during-flood');
    const flooded = await flooding;
    const floodSeconds = (Date.now() - started) / 1000;
    // Rooms of calls from the flood would have appeared by now.
    await new Promise((r) => setTimeout(r, 2000));
    polling = false;
    await poll;

    const { sent, answers: answered } = floodFigures(flooded.out);
    const flooders = await listSources(DEPLOYMENT, 'flooders');
    console.log(
      `[sip-edge] flood: ${sent} messages (INVITE+OPTIONS) from ${scanner.address} in ${floodSeconds.toFixed(1)} s; ` +
        `${answered} answers reached the scanner; rooms seen ${seenRooms.size} (the legitimate call's: ${call.established ? 1 : 0}); ` +
        `max agent jobs ${maxJobs}; legitimate call ${call.established ? 'answered' : 'NOT answered'}, ` +
        `heard ${call.heard ? voicedSeconds(call.heard).toFixed(1) : 0} s; loadavg ${loadavg()}`,
    );
    expect(sent, flooded.out.slice(-4000)).toBe(2000);
    expect(call.established).toBe(true);
    expect(voicedSeconds(call.heard!)).toBeGreaterThan(1);
    // Only the legitimate call made a room and a job.
    expect(seenRooms.size).toBe(1);
    expect(maxJobs).toBe(1);
    // The kernel marked the scanner as a flooder, and up logged it with its address.
    expect(flooders.map((f) => f.address)).toEqual([scanner.address]);
    expect(logLines(stack, 'SIP source over the packet rate').map((l) => l.source)).toContain(
      scanner.address,
    );
    // Most of the flood never reached livekit-sip: only the burst before the block (100 packets,
    // each answered with at most a 100 Trying and a final response) got anything back.
    expect(answered).toBeLessThanOrEqual(200);
  });

  /** sipp in the guesser's namespace, INVITEs with the softphone's user and a wrong password. */
  const guessArgs = () => [
    '-sf',
    join(SIPP, 'edge-guess.xml'),
    `${net.gatewayAddress}:${PORT}`,
    '-i',
    guesser.address,
    '-p',
    '25072',
    '-au',
    'softphone',
    '-ap',
    'not-the-password',
  ];

  it('failed digest logins from one source block it after N for the configured time; others keep working', async () => {
    const guessing = await sippOn(
      guesser,
      [...guessArgs(), '-m', '8', '-r', '2', '-l', '1', '-timeout', '60s'],
      90_000,
    );
    const refused = sippCounter(guessing.out, /Successful call\s+\|\s+\d+\s+\|\s+(\d+)/g);
    const dropped = sippCounter(guessing.out, /Failed call\s+\|\s+\d+\s+\|\s+(\d+)/g);
    const blocked = await listSources(DEPLOYMENT, 'blocked');
    const line = logLines(stack, 'SIP source blocked after failed digest logins').at(-1);
    // Time from livekit-sip's 5th failure line to the block.
    const failures = readFileSync(join(stack.logDir, 'livekit-sip.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('Authentication failed - response mismatch'))
      .map((l) => JSON.parse(l) as { ts: number; fromIP: string });
    const fifth = failures.filter((f) => f.fromIP === guesser.address)[4];
    const toBlockMs = line && fifth ? Date.parse(String(line.time)) - fifth.ts * 1000 : NaN;
    console.log(
      `[sip-edge] lockout: ${refused} wrong passwords answered 401, then ${dropped} INVITEs dropped; ` +
        `blocked ${blocked.map((b) => `${b.address} (15 s block, ${b.expires} s left)`).join(', ')}; ` +
        `time to block ${toBlockMs.toFixed(0)} ms after the 5th failure; loadavg ${loadavg()}`,
    );
    expect(refused).toBe(5);
    expect(dropped).toBe(3);
    expect(blocked.map((b) => b.address)).toEqual([guesser.address]);
    // Its element carries the block's own timeout (some of it spent while sipp waited on the drops).
    expect(blocked[0]!.expires).toBeGreaterThan(0);
    expect(blocked[0]!.expires).toBeLessThanOrEqual(15);
    // Logged with the source address, the count and the time: never the caller's user or number.
    expect(line).toMatchObject({ source: guesser.address, failures: 5, blockSeconds: 15 });
    expect(JSON.stringify(line)).not.toMatch(/fromUser|guesser@|softphone/);
    expect(toBlockMs).toBeLessThan(1000);

    // Another source is not affected: the softphone's call is answered while the guesser is blocked.
    const call = await legitimateCall('during-lockout');
    expect(call.established).toBe(true);

    // After blockSeconds the guesser is heard again: its next wrong password gets a 401.
    const left = (await listSources(DEPLOYMENT, 'blocked')).find(
      (b) => b.address === guesser.address,
    );
    await new Promise((r) => setTimeout(r, ((left?.expires ?? 0) + 1) * 1000));
    const again = await sippOn(guesser, [...guessArgs(), '-m', '1', '-timeout', '15s'], 30_000);
    expect(sippCounter(again.out, /Successful call\s+\|\s+\d+\s+\|\s+(\d+)/g)).toBe(1);
  });

  it('the RFC 4475 torture corpus over UDP and TCP crashes nothing; calls are answered afterwards', async () => {
    const cases = readdirSync(TORTURE)
      .filter((f) => f.endsWith('.dat'))
      .sort();
    // A sender on the torture host: every case as one datagram (all at once), then each over its
    // own TCP connection (all at once); each waits up to 1 s for an answer and reports its status
    // line, or nothing. The host is in sip.edge.trusted, so every message reaches livekit-sip.
    const script = `
      const dgram = require('node:dgram'), net = require('node:net'), fs = require('node:fs');
      const [dir, host, port, local] = process.argv.slice(1);
      const cases = fs.readdirSync(dir).filter((f) => f.endsWith('.dat')).sort();
      const first = (b) => b.toString('latin1').split('\\r\\n')[0];
      const udp = (data) => new Promise((resolve) => {
        const s = dgram.createSocket('udp4');
        const t = setTimeout(() => { s.close(); resolve(null); }, 1000);
        s.on('message', (m) => { clearTimeout(t); s.close(); resolve(first(m)); });
        s.bind(0, local, () => s.send(data, Number(port), host));
      });
      const tcp = (data) => new Promise((resolve) => {
        const c = net.connect({ host, port: Number(port), localAddress: local });
        let done = false;
        const end = (v) => { if (!done) { done = true; clearTimeout(t); c.destroy(); resolve(v); } };
        const t = setTimeout(() => end(null), 1000);
        c.on('connect', () => c.write(data));
        c.on('data', (d) => end(first(d)));
        c.on('error', (e) => end('error: ' + e.code));
        c.on('close', () => end(null));
      });
      (async () => {
        const data = cases.map((f) => fs.readFileSync(dir + '/' + f));
        const udps = await Promise.all(data.map(udp));
        const tcps = await Promise.all(data.map(tcp));
        console.log(JSON.stringify(cases.map((f, i) => ({ case: f, udp: udps[i], tcp: tcps[i] }))));
      })();
    `;
    const started = Date.now();
    const sent = await execOnAsync(torture, process.execPath, [
      '-e',
      script,
      TORTURE,
      net.gatewayAddress,
      String(PORT),
      torture.address,
    ]);
    const results = JSON.parse(sent.stdout.trim()) as Array<{
      case: string;
      udp: string | null;
      tcp: string | null;
    }>;
    const answered = (t: 'udp' | 'tcp') =>
      results.filter((r) => r[t]?.startsWith('SIP/2.0')).length;
    const health = await fetch(`http://127.0.0.1:${stack.config.sip.healthPort}/`);
    const pidAfter = livekitSipPid(stack.runDir);
    const call = await legitimateCall('after-torture');
    console.log(
      `[sip-edge] torture: ${results.length} RFC 4475 cases x UDP+TCP in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `answered UDP ${answered('udp')}, TCP ${answered('tcp')}; livekit-sip pid ${sipPid} -> ${pidAfter}; ` +
        `health ${health.status}; no answer: ${results
          .filter((r) => !r.udp?.startsWith('SIP/2.0') || !r.tcp?.startsWith('SIP/2.0'))
          .map((r) => `${r.case.replace('.dat', '')}(${r.udp ? 'u' : '-'}${r.tcp ? 't' : '-'})`)
          .join(
            ' ',
          )}; call afterwards ${call.established ? 'answered' : 'NOT answered'}; loadavg ${loadavg()}`,
    );
    expect(results.map((r) => r.case)).toEqual(cases);
    expect(cases).toHaveLength(49);
    expect(pidAfter).toBe(sipPid);
    // 429 is livekit-sip's "healthy, under CPU load" (sipHealthy takes it): this box runs other
    // suites at once. A dead or broken gateway answers nothing or 503.
    expect([200, 429]).toContain(health.status);
    expect(stack.output()).not.toMatch(/crashed; restarting/);
    expect(call.established).toBe(true);
    expect(voicedSeconds(call.heard!)).toBeGreaterThan(1);
    // Two torture cases carry a number (a Contact of RFC 4475's example gateway): it reached no
    // log as a number, nor did anything else, in up's output or any part's log file.
    const logs = [
      ...stack.output().split('\n'),
      ...readdirSync(stack.logDir).flatMap((f) =>
        readFileSync(join(stack.logDir, f), 'utf8').split('\n'),
      ),
    ];
    expect(scanForPhoneNumbers(logs, ['+19725552222'], { region: 'US' })).toEqual([]);
  });
});
