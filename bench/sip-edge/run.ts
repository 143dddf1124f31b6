/**
 * A scanner's flood at the SIP gateway (issue 12, target 6): INVITEs and OPTIONS from an address
 * no trunk allows, while a legitimate softphone calls.
 *
 *   flock /tmp/sb-e2e.lock npx tsx bench/sip-edge/run.ts [--messages 10000] [--rate 1000] [--no-edge]
 *
 * Needs root: it makes the e2e suite's network namespaces (10.78.0.0/22, test/sip-edge.e2e.test.ts)
 * and starts the stack of test/e2e/sip-edge.e2e.yaml on its own ports and Redis (hence the lock).
 * sipp floods from 10.78.2.2; 1.5 s in, baresip calls from 10.78.0.2 with the trunk's password.
 * Rooms and agent jobs are polled every 250 ms until 3 s after the flood. `--no-edge` runs the
 * same with sip.edge.enabled: false, for the difference. Exits 1 unless the flood made 0 rooms and
 * 0 jobs and the legitimate call was answered.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { startRedis } from '../../test/harness/redis-server.js';
import { silenceWav, voicedSeconds } from '../../test/support/audio.js';
import { callWithBaresip } from '../../test/support/baresip.js';
import { activeJobs, roomService } from '../../test/support/livekit.js';
import { createHosts, type ExternalHost } from '../../test/support/netns.js';
import { ROOT, startUp, stopStack } from '../../test/support/stack.js';
import { cpuSeconds, flood, floodFigures, livekitSipPid } from '../../test/sipp/run.js';
import { listSources } from '../../src/stack/sip-edge.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '1000' },
    'no-edge': { type: 'boolean', default: false },
  },
});
const messages = Number(values.messages);
const rate = Number(values.rate);
const edge = !values['no-edge'];
const PORT = 55060;

const LINKS = [
  { netns: 'sb-edge-caller', hostSide: 'sbedge-gw0', nsSide: 'sbedge-c0', net: '10.78.0' },
  { netns: 'sb-edge-scanner', hostSide: 'sbedge-gw2', nsSide: 'sbedge-s0', net: '10.78.2' },
];

async function main(): Promise<number> {
  const net = createHosts(LINKS);
  const [caller, scanner] = net.hosts as [ExternalHost, ExternalHost];
  const redis = await startRedis();
  process.env.SWITCHBOARD_E2E_EDGE_REDIS = redis.url;
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-edge-'));
  const config = parse(readFileSync(join(ROOT, 'test', 'e2e', 'sip-edge.e2e.yaml'), 'utf8'));
  config.sip.edge.enabled = edge;
  const configPath = join(dir, 'switchboard.yaml');
  writeFileSync(configPath, stringify(config));
  const stack = await startUp(configPath);
  try {
    const sipPid = livekitSipPid(stack.runDir);
    const rooms = roomService(stack);
    const seenRooms = new Set<string>();
    let maxJobs = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        for (const room of await rooms.listRooms().catch(() => [])) seenRooms.add(room.name);
        maxJobs = Math.max(maxJobs, await activeJobs(stack).catch(() => 0));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const cpuBefore = cpuSeconds(sipPid);
    const load = loadavg()[0]!;
    const started = Date.now();
    let floodEnded = 0;
    const flooding = flood(scanner, `${net.gatewayAddress}:${PORT}`, messages, rate).finally(
      () => (floodEnded = Date.now()),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const call = await callWithBaresip({
      username: 'softphone',
      password: 'e2e-edge-softphone-password',
      target: `sip:edge@${net.gatewayAddress}:${PORT}`,
      host: caller,
      playWav: silenceWav(join(dir, 'quiet.wav'), 6, 16000),
      codecs: ['G722'],
      maxSeconds: 30,
    });
    const flooded = await flooding;
    const floodSeconds = (floodEnded - started) / 1000;
    await new Promise((r) => setTimeout(r, 3000));
    polling = false;
    await poll;
    const cpu = cpuSeconds(sipPid) - cpuBefore;
    const { sent, answers } = floodFigures(flooded.out);
    const flooders = edge
      ? (await listSources(config.deployment, 'flooders')).map((f) => f.address)
      : [];
    const { invite, answered } = call.timing;
    const setup =
      call.established && invite !== undefined && answered !== undefined ? answered - invite : NaN;
    // The legitimate call's room is the one room a good run sees.
    const floodRooms = seenRooms.size - (call.established ? 1 : 0);
    const floodJobs = Math.max(0, maxJobs - (call.established ? 1 : 0));
    console.log(
      '| edge | messages | rate /s | flood s | answers to scanner | scanner blocked | rooms (flood) | jobs (flood) | legitimate call | INVITE→200 ms | heard s | livekit-sip CPU s | load avg (1 min) |',
    );
    console.log('|---|--:|--:|--:|--:|---|--:|--:|---|--:|--:|--:|--:|');
    console.log(
      `| ${edge ? 'on' : 'off'} | ${sent} | ${rate} | ${floodSeconds.toFixed(1)} | ${answers} | ${flooders.includes(scanner.address) ? 'yes' : 'no'} | ` +
        `${floodRooms} | ${floodJobs} | ${call.established ? 'answered' : 'NOT answered'} | ${setup.toFixed(0)} | ` +
        `${call.heard ? voicedSeconds(call.heard).toFixed(1) : '0'} | ${cpu.toFixed(2)} | ${load.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} |`,
    );
    return floodRooms === 0 && floodJobs === 0 && call.established ? 0 : 1;
  } finally {
    await stopStack(stack);
    await redis.stop();
    net.remove();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
