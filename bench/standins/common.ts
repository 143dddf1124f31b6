import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * A delay: a fixed number of milliseconds, or a mean with a uniform jitter drawn from the
 * stand-in's seeded generator, so every run of a benchmark sees the same sequence of delays.
 */
export type DelaySpec = number | { meanMs: number; jitterMs?: number };

/** mulberry32: small, fast and good enough to spread delays; the point is repeatability. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws delays in call order from one seeded generator. */
export function createDelayPicker(seed: number): (spec: DelaySpec | undefined) => number {
  const rng = createRng(seed);
  return (spec) => {
    if (spec === undefined) return 0;
    if (typeof spec === 'number') return Math.max(0, spec);
    const jitter = spec.jitterMs ?? 0;
    const value = spec.meanMs + (rng() * 2 - 1) * jitter;
    return Math.max(0, Math.round(value * 10) / 10);
  };
}

/** One HTTP request or WebSocket upgrade seen by a stand-in. */
export interface StandinRequest {
  /** Milliseconds since the stand-in started (performance clock). */
  at: number;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  authorized: boolean;
  body?: unknown;
}

/** One scripted emission and the artificial delay put in front of it. */
export interface StandinEvent {
  at: number;
  kind: string;
  delayMs: number;
  detail?: Record<string, unknown>;
}

export interface StandinHandle {
  /** The value to configure as the plugin's base URL. */
  url: string;
  port: number;
  /** TCP connections accepted so far (HTTP and WebSocket alike). */
  readonly connections: number;
  requests: StandinRequest[];
  events: StandinEvent[];
  stop(): Promise<void>;
}

export function parseQuery(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? (all[0] ?? '') : all;
  }
  return out;
}

export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://127.0.0.1');
}

/** Tracks sockets so stop() can close keep-alive and WebSocket connections at once. */
export function trackConnections(server: Server): { count(): number; destroyAll(): void } {
  const sockets = new Set<Socket>();
  let count = 0;
  server.on('connection', (socket: Socket) => {
    count += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    count: () => count,
    destroyAll: () => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}

export async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  return address.port;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export function createClock(): () => number {
  const t0 = performance.now();
  return () => Math.round((performance.now() - t0) * 10) / 10;
}

export const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

/** Root-mean-square of 16-bit little-endian PCM, on a 0..1 scale. */
export function pcmRms(pcm: Buffer): number {
  const samples = Math.floor(pcm.length / 2);
  if (samples === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples; i++) {
    const v = pcm.readInt16LE(i * 2) / 32768;
    sum += v * v;
  }
  return Math.sqrt(sum / samples);
}

/**
 * A voice-like test signal: a 180 Hz fundamental with two harmonics, amplitude-modulated at a
 * syllable rate, so energy detectors and VADs see "speech" and it is clearly not silence.
 * `offsetSamples` keeps the phase continuous across chunks.
 */
export function voiceLikePcm(sampleRate: number, samples: number, offsetSamples = 0): Buffer {
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const t = (offsetSamples + i) / sampleRate;
    const envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    const wave =
      0.6 * Math.sin(2 * Math.PI * 180 * t) +
      0.3 * Math.sin(2 * Math.PI * 360 * t) +
      0.1 * Math.sin(2 * Math.PI * 540 * t);
    out.writeInt16LE(Math.round(wave * envelope * 0.35 * 32767), i * 2);
  }
  return out;
}

/** Checks a credential header against the expected secret when the stand-in has one. */
export function credentialMatches(
  header: string | undefined,
  scheme: string,
  expected: string | undefined,
): boolean {
  if (expected === undefined) return header !== undefined && header.length > 0;
  const want = scheme ? `${scheme} ${expected}` : expected;
  return header === want;
}

/**
 * Sends in order, each item no earlier than its own delay and never before the item ahead of
 * it. Plain timers cannot promise that: two timers due in the same millisecond may fire in any
 * order.
 */
export function createSequencer(clock: () => number): (delayMs: number, send: () => void) => void {
  const queue: Array<{ due: number; send: () => void }> = [];
  let lastDue = 0;
  let pumping = false;
  const pump = async () => {
    pumping = true;
    while (queue.length) {
      const next = queue[0]!;
      const wait = next.due - clock();
      if (wait > 0) await sleep(wait);
      queue.shift();
      next.send();
    }
    pumping = false;
  };
  return (delayMs, send) => {
    lastDue = Math.max(clock() + delayMs, lastDue);
    queue.push({ due: lastDue, send });
    if (!pumping) void pump();
  };
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Refuses a WebSocket upgrade with a plain HTTP status, as the vendors do for a bad key. */
export function rejectUpgrade(socket: Duplex, status: 400 | 401 | 404): void {
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found' }[status];
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The request record a stand-in keeps for tests and benchmarks. */
export function describeRequest(
  at: number,
  req: IncomingMessage,
  authorized: boolean,
  body?: unknown,
): StandinRequest {
  const url = requestUrl(req);
  const record: StandinRequest = {
    at,
    method: req.method ?? 'GET',
    path: url.pathname,
    query: parseQuery(url),
    authorized,
  };
  if (body !== undefined) record.body = body;
  return record;
}
