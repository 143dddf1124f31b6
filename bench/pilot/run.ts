/**
 * Call set-up over SIP-TLS with SRTP from another host, beside plain SIP over UDP on loopback, on
 * one gateway in one run (issue: pilot mode).
 *
 *   npx tsx bench/pilot/run.ts [--pairs 8]
 *
 * Needs root: it makes its own network namespace and veth link (10.77.0.0/24) for the carrier, as
 * the pilot e2e test does, and the gateway's nftables redirect. Calls alternate (TLS, UDP, TLS, …)
 * so both paths see the same machine load. Per call, from baresip's own timeline: INVITE → 200 OK,
 * and 200 OK → the first voiced 20 ms of the greeting in what the caller heard. A call that fails
 * is counted and printed, never dropped silently.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silenceWav, VOICED_RMS, windowRms } from '../../test/support/audio.js';
import { callWithBaresip, type CallResult } from '../../test/support/baresip.js';
import { createTestNetwork } from '../../test/support/netns.js';
import { ROOT, startUp, stopStack } from '../../test/support/stack.js';
import { createTestCa } from '../../test/support/test-ca.js';

const { values } = parseArgs({ options: { pairs: { type: 'string', default: '8' } } });
const pairs = Number(values.pairs);

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** INVITE → 200 OK and 200 OK → greeting, or why the call gave none. */
function setUpTimes(call: CallResult): { answer: number; greeting: number } | string {
  const { invite, answered, rxStarted } = call.timing;
  if (!call.established || invite === undefined || answered === undefined) return 'not answered';
  if (!call.heard || rxStarted === undefined) return 'no audio';
  const first = windowRms(call.heard).findIndex((r) => r > VOICED_RMS);
  if (first < 0) return 'no greeting heard';
  return { answer: answered - invite, greeting: rxStarted + first * 20 - answered };
}

async function main(): Promise<void> {
  const net = createTestNetwork();
  const ca = createTestCa();
  const gateway = ca.issue('gateway', [`IP:${net.gatewayAddress}`]);
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-pilot-'));
  copyFileSync(gateway.chainFile, join(dir, 'fullchain.pem'));
  copyFileSync(gateway.keyFile, join(dir, 'privkey.pem'));
  process.env.SWITCHBOARD_E2E_TLS_CERT = join(dir, 'fullchain.pem');
  process.env.SWITCHBOARD_E2E_TLS_KEY = join(dir, 'privkey.pem');
  const wav = silenceWav(join(dir, 'quiet.wav'), 8, 16000);
  const carrier = ca.issue('carrier', [`IP:${net.caller.address}`]);
  // Pilot refuses dev-looking passwords in its config; this one is made per run.
  const password = `bench-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  process.env.SWITCHBOARD_BENCH_SIP_PASSWORD = password;
  const paths = {
    'TLS+SRTP, other host': () =>
      callWithBaresip({
        username: '+3225550142',
        target: `sip:+3225550100@${net.gatewayAddress}:5061;transport=tls`,
        host: net.caller,
        tls: { certFile: carrier.bundleFile },
        srtp: true,
        playWav: wav,
        codecs: ['G722'],
        maxSeconds: 20,
      }),
    'UDP+RTP, loopback': () =>
      callWithBaresip({
        username: '+3225550145',
        password,
        target: 'sip:+3225550101@127.0.0.1:5060',
        playWav: wav,
        codecs: ['G722'],
        maxSeconds: 20,
      }),
  };
  // Per pair, TLS − UDP: the paired difference is what the other host, TLS and SRTP add.
  const paired: { answer: number[]; greeting: number[] } = { answer: [], greeting: [] };
  const results = Object.fromEntries(
    Object.keys(paths).map((k) => [
      k,
      { answer: [] as number[], greeting: [] as number[], failed: [] as string[] },
    ]),
  );
  const stack = await startUp(join(ROOT, 'bench', 'pilot', 'pilot-bench.yaml'));
  try {
    for (let i = 0; i < pairs; i++) {
      const pair: Array<{ answer: number; greeting: number }> = [];
      for (const [name, place] of Object.entries(paths)) {
        const times = setUpTimes(await place());
        const row = results[name]!;
        if (typeof times === 'string') row.failed.push(`call ${i + 1}: ${times}`);
        else {
          row.answer.push(times.answer);
          row.greeting.push(times.greeting);
          pair.push(times);
        }
      }
      const [tls, udp] = pair;
      if (pair.length === 2 && tls && udp) {
        paired.answer.push(tls.answer - udp.answer);
        paired.greeting.push(tls.greeting - udp.greeting);
      }
    }
  } finally {
    await stopStack(stack);
    net.remove();
  }
  console.log(
    `\npilot set-up benchmark: ${pairs} pairs, load average ${loadavg()[0]!.toFixed(2)}\n`,
  );
  console.log('| path | ok | failed | INVITE→200 p50 | p95 | 200→greeting p50 | p95 |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, r] of Object.entries(results)) {
    const f = (xs: number[], p: number) => percentile(xs, p).toFixed(0);
    console.log(
      `| ${name} | ${r.answer.length} | ${r.failed.length} | ${f(r.answer, 50)} | ${f(r.answer, 95)} | ${f(r.greeting, 50)} | ${f(r.greeting, 95)} |`,
    );
    for (const why of r.failed) console.log(`  ${name}: ${why}`);
  }
  console.log(
    `| TLS − UDP, paired (median) | ${paired.answer.length} | | ${percentile(paired.answer, 50).toFixed(0)} | | ${percentile(paired.greeting, 50).toFixed(0)} | |`,
  );
  const failed = Object.values(results).some((r) => r.failed.length > 0);
  process.exitCode = failed ? 1 : 0;
}

await main();
