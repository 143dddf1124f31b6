import { afterEach, describe, expect, it } from 'vitest';
import { connect, captureLogger } from '../../test/harness/admission-support.js';
import { startRedis } from '../../test/harness/redis-server.js';
import { openCallEvents } from '../agent/call/events.js';
import { parseConfig } from '../config/index.js';
import { callEventsStream } from '../telemetry/call-events.js';
import { registry } from '../telemetry/index.js';
import { createCallEventState, startCallEventReader } from './call-events-reader.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** One sample's value in the control plane's registry, 0 when absent. */
async function sample(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metrics = await registry.getMetricsAsJSON();
  type Value = { metricName?: string; labels: object; value: number };
  const values = metrics.flatMap((m) =>
    (m.values as Value[]).map((v) => ({ ...v, metricName: v.metricName ?? m.name })),
  );
  return values
    .filter(
      (v) =>
        v.metricName === name &&
        Object.entries(labels).every(
          ([k, want]) => (v.labels as Record<string, unknown>)[k] === want,
        ),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

async function setup() {
  const server = await startRedis();
  cleanup.push(() => server.stop());
  const deployment = `t${Math.random().toString(36).slice(2, 8)}`;
  const config = parseConfig({ deployment, redis: { url: server.url } });
  const { logger } = captureLogger();
  const reader = await startCallEventReader({
    config,
    logger,
    trunkNames: (id) => (id === 'ST_front' ? 'front-desk' : 'other'),
  });
  cleanup.push(() => reader.stop());
  const job = connect(server.url);
  cleanup.push(() => job.disconnect());
  const call = (callId: string) => openCallEvents(job, { deployment, callId, trunkId: 'ST_front' });
  return { server, reader, job, call, deployment };
}

describe('call events → control plane', () => {
  it('counts a job process call in /metrics and lists it live until it ends', async () => {
    const { reader, call } = await setup();
    const before = {
      started: await sample('switchboard_calls_started_total', { trunk: 'front-desk' }),
      ended: await sample('switchboard_calls_total', {
        trunk: 'front-desk',
        outcome: 'transferred',
        language: 'fr',
      }),
      limited: await sample('switchboard_admission_decisions_total', { result: 'rate_limited' }),
      transfers: await sample('switchboard_transfers_total', {
        reason: 'handoff',
        result: 'transferred',
      }),
      gaps: await sample('switchboard_turn_stage_seconds_count', { stage: 'turn_gap' }),
    };
    const events = call('SCL_one');
    events.setPseudonym('k1_0123456789abcdef0123456789abcdef');
    events.emit({ type: 'started', language: 'nl', recovery: 0 });
    events.emit({ type: 'answered', seconds: 0.8 });
    await expect
      .poll(() => reader.view.liveCalls())
      .toEqual([
        expect.objectContaining({
          callId: 'SCL_one',
          pseudonym: 'k1_0123456789abcdef0123456789abcdef',
          trunk: 'front-desk',
          language: 'nl',
          state: 'active',
        }),
      ]);
    expect(await sample('switchboard_calls_active', { trunk: 'front-desk', state: 'active' })).toBe(
      1,
    );

    events.emit({ type: 'language', language: 'fr' });
    events.emit({ type: 'turn', stages: { turn_gap: 0.61, stt: 0.05 } });
    events.emit({ type: 'transfer', reason: 'handoff' });
    await expect.poll(() => reader.view.liveCalls()[0]?.state).toBe('transferring');
    events.emit({ type: 'transfer', reason: 'handoff', result: 'transferred' });
    events.emit({ type: 'ended', outcome: 'transferred', seconds: 12 });
    await expect.poll(() => reader.view.liveCalls()).toEqual([]);

    const other = call('SCL_two');
    other.emit({ type: 'admission', result: 'rate_limited', seconds: 0.002 });
    other.emit({ type: 'ended', outcome: 'rejected:rate_limited', seconds: 3 });
    await expect
      .poll(() => sample('switchboard_admission_decisions_total', { result: 'rate_limited' }))
      .toBe(before.limited + 1);
    expect(await sample('switchboard_calls_started_total', { trunk: 'front-desk' })).toBe(
      before.started + 1,
    );
    expect(
      await sample('switchboard_calls_total', {
        trunk: 'front-desk',
        outcome: 'transferred',
        language: 'fr',
      }),
    ).toBe(before.ended + 1);
    expect(
      await sample('switchboard_transfers_total', { reason: 'handoff', result: 'transferred' }),
    ).toBe(before.transfers + 1);
    expect(await sample('switchboard_turn_stage_seconds_count', { stage: 'turn_gap' })).toBe(
      before.gaps + 1,
    );
    expect(await sample('switchboard_calls_active')).toBe(0);
    expect(reader.view.latencySamples().at(-1)?.stages).toEqual({ turn_gap: 0.61, stt: 0.05 });
  });

  it('keeps labels bounded: unknown outcomes, codes and languages become "other"', async () => {
    const { call } = await setup();
    const before = await sample('switchboard_calls_total', { outcome: 'other', language: 'other' });
    const events = call('SCL_odd');
    events.emit({ type: 'ended', outcome: 'rejected:+32470123456', failure: 'x', seconds: 1 });
    await expect
      .poll(() => sample('switchboard_calls_total', { outcome: 'other', language: 'other' }))
      .toBe(before + 1);
    const text = await registry.metrics();
    expect(text).not.toContain('32470123456');
  });

  it('rebuilds live calls after a restart without counting them again', async () => {
    const { reader, call, deployment, server } = await setup();
    const events = call('SCL_live');
    events.emit({ type: 'started', language: 'en', recovery: 0 });
    await expect.poll(() => reader.view.liveCalls().length).toBe(1);
    await reader.stop();
    const started = await sample('switchboard_calls_started_total', { trunk: 'front-desk' });

    const config = parseConfig({ deployment, redis: { url: server.url } });
    const again = await startCallEventReader({
      config,
      logger: captureLogger().logger,
      trunkNames: () => 'front-desk',
    });
    cleanup.push(() => again.stop());
    expect(again.view.liveCalls().map((c) => c.callId)).toEqual(['SCL_live']);
    expect(await sample('switchboard_calls_started_total', { trunk: 'front-desk' })).toBe(started);
    // New events after the restart are read from where the replay stopped.
    events.emit({ type: 'ended', outcome: 'answered', seconds: 5 });
    await expect.poll(() => again.view.liveCalls()).toEqual([]);
  });

  it('survives Redis going away and reads again once it is back', async () => {
    const { reader, call, server, job, deployment } = await setup();
    const errors = await sample('switchboard_call_events_stream_errors_total');
    await server.stop();
    await expect
      .poll(() => sample('switchboard_call_events_stream_errors_total'), { timeout: 10_000 })
      .toBeGreaterThan(errors);
    const back = await startRedis(server.port);
    cleanup.push(() => back.stop());
    await expect.poll(() => job.ping().catch(() => 'down'), { timeout: 10_000 }).toBe('PONG');
    call('SCL_after').emit({ type: 'started', language: 'de', recovery: 0 });
    await expect
      .poll(() => reader.view.liveCalls().map((c) => c.callId), { timeout: 10_000 })
      .toEqual(['SCL_after']);
    expect(await job.xlen(callEventsStream(deployment))).toBe(1);
  });

  it('starts every provisioned trunk series at 0, so the first call is an increase', async () => {
    const server = await startRedis();
    cleanup.push(() => server.stop());
    const config = parseConfig({
      deployment: 'zero-series',
      redis: { url: server.url },
      provisioning: {
        inboundTrunks: [{ name: 'night-line', allowedAddresses: ['127.0.0.1'] }],
        dispatchRules: [{ name: 'calls', trunks: ['night-line'] }],
      },
    });
    const reader = await startCallEventReader({ config, logger: captureLogger().logger });
    cleanup.push(() => reader.stop());
    const text = await registry.metrics();
    expect(text).toContain(
      'switchboard_admission_decisions_total{trunk="night-line",result="rate_limited"} 0',
    );
    expect(text).toContain(
      'switchboard_calls_total{trunk="night-line",outcome="answered",language="nl"} 0',
    );
    expect(text).toContain(
      'switchboard_transfers_total{trunk="night-line",reason="handoff",result="failed"} 0',
    );
  });

  it('drops a live call whose end never came, 30 s after its caller left', () => {
    const state = createCallEventState(() => 'front-desk');
    const base = { v: 1 as const, callId: 'SCL_lost', at: 1_000 };
    state.apply({ ...base, type: 'started', language: 'nl', recovery: 0 }, { replay: true });
    state.callerLeft('SCL_lost', 10_000);
    state.sweep(39_000);
    expect(state.view.liveCalls().map((c) => c.callId)).toEqual(['SCL_lost']);
    state.sweep(40_001);
    expect(state.view.liveCalls()).toEqual([]);
  });
});
