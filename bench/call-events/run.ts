/**
 * What call events cost a call. A job emits about a dozen events per call and one per turn; each
 * is a JSON.stringify and an XADD written to the call's socket, never awaited. Measured here, side
 * by side in one run on a private redis-server:
 *   - emit: the time `emit()` holds the job's event loop (what a turn pays), per event;
 *   - baseline: the same event's JSON.stringify alone (the floor of any structured event);
 *   - round trip: emit to Redis having stored it (off the call path; how fresh the figures are);
 *   - control plane: reading and applying one event from the stream (metrics and live list).
 *
 *   npx tsx bench/call-events/run.ts [--events 20000]
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { startRedis } from '../../test/harness/redis-server.js';
import { openCallEvents } from '../../src/agent/call/events.js';
import { parseConfig } from '../../src/config/index.js';
import { startCallEventReader } from '../../src/control-plane/call-events-reader.js';
import { callEventsRead } from '../../src/telemetry/call-metrics.js';
import { createLogger } from '../../src/telemetry/index.js';
import type { CallEventBody } from '../../src/telemetry/call-events.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 20_000);

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const row = (name: string, values: number[], unit = 'µs') => {
  const sorted = [...values].sort((a, b) => a - b);
  const fmt = (v: number) => v.toFixed(unit === 'µs' ? 1 : 3).padStart(9);
  return `| ${name.padEnd(38)} | ${fmt(quantile(sorted, 0.5))} | ${fmt(quantile(sorted, 0.95))} | ${fmt(quantile(sorted, 0.99))} | ${unit.padEnd(4)} |`;
};

/** A turn event as a job sends it (five stages). */
const TURN: CallEventBody = {
  type: 'turn',
  stages: {
    end_of_turn: 0.512,
    stt: 0.041,
    llm_first_token: 0.3,
    tts_first_byte: 0.1,
    turn_gap: 0.87,
  },
};

async function main() {
  const server = await startRedis();
  const deployment = 'bench-events';
  const config = parseConfig({ deployment, redis: { url: server.url } });
  const logger = createLogger({ level: 'silent' });
  const job = new Redis(server.url);
  const events = openCallEvents(job, {
    deployment,
    callId: 'SCL_benchcall01',
    trunkId: 'ST_bench',
  });
  events.setPseudonym('bench_0123456789abcdef0123456789abcdef');

  // Warm up the JIT and the connection.
  for (let i = 0; i < 2_000; i++) events.emit(TURN);
  await events.flushed();

  const emit: number[] = [];
  const baseline: number[] = [];
  const roundTrip: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    // Alternate, so both see the same machine state.
    let t = performance.now();
    JSON.stringify({ ...TURN, v: 1, callId: 'SCL_benchcall01', at: Date.now() });
    baseline.push((performance.now() - t) * 1000);
    t = performance.now();
    events.emit(TURN);
    emit.push((performance.now() - t) * 1000);
    if (i % 20 === 0) {
      // One in twenty is followed to Redis: how long until the control plane could read it.
      await events.flushed();
      roundTrip.push(performance.now() - t);
    }
  }
  await events.flushed();

  // The control plane: replays the stream once on start (not counted), then reads new events.
  const reader = await startCallEventReader({ config, logger, trunkNames: () => 'bench' });
  const readStart = performance.now();
  for (let i = 0; i < EVENTS; i++) events.emit(TURN);
  await events.flushed();
  const applied = await eventsRead(EVENTS, 60_000);
  const readMs = performance.now() - readStart;
  await reader.stop();

  console.log(
    `call events: ${EVENTS} turn events per series, load avg ${loadavg()[0]!.toFixed(2)}, dropped ${events.dropped}`,
  );
  console.log(
    '| series                                 |       p50 |       p95 |       p99 | unit |',
  );
  console.log(
    '| -------------------------------------- | --------: | --------: | --------: | ---- |',
  );
  console.log(row('emit() on the job event loop', emit));
  console.log(row('JSON.stringify of the same event alone', baseline));
  console.log(row('emit → stored in Redis', roundTrip, 'ms'));
  const paired = emit.map((e, i) => e - baseline[i]!);
  console.log(row('emit − stringify (paired, per event)', paired));
  console.log(
    `control plane: ${applied} events written and read back in ${readMs.toFixed(0)} ms: ${((readMs * 1000) / applied).toFixed(1)} µs per event, XADD included`,
  );
  job.disconnect();
  await server.stop();
}

/** Waits until the control plane has read `want` events (its own counter); returns how many. */
async function eventsRead(want: number, timeoutMs: number): Promise<number> {
  const read = async () => (await callEventsRead.get()).values.reduce((s, v) => s + v.value, 0);
  const deadline = Date.now() + timeoutMs;
  while ((await read()) < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return read();
}

await main();
