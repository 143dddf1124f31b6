import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath } from '../../src/stack/index.js';
import { freePort } from './free-port.js';

export interface TestLivekit {
  /** HTTP base URL of the server API (also accepted by the SDK clients). */
  url: string;
  apiKey: string;
  apiSecret: string;
  port: number;
  process: ChildProcess;
  /** Server output so far, for assertion messages when a test fails. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartLivekitOptions {
  redisUrl: string;
  /** Milliseconds to wait for the HTTP port to answer; default 15 s. */
  startTimeoutMs?: number;
  /** Binary override; default the pinned one in $SWITCHBOARD_BIN_CACHE, as install.sh puts it. */
  binary?: string;
}

/**
 * Starts a private livekit-server on free loopback ports, bound to the given Redis (the SIP
 * APIs answer "sip not connected" without one). Keys are random per start.
 */
export async function startLivekit(opts: StartLivekitOptions): Promise<TestLivekit> {
  const [port, tcpPort, udpPort] = [await freePort(), await freePort(), await freePort()];
  const apiKey = `test${randomBytes(4).toString('hex')}`;
  // livekit-server refuses secrets shorter than 32 characters outside --dev.
  const apiSecret = randomBytes(24).toString('hex');
  const redis = new URL(opts.redisUrl);
  const dir = mkdtempSync(join(tmpdir(), 'sb-livekit-'));
  const configPath = join(dir, 'livekit.yaml');
  writeFileSync(
    configPath,
    [
      `port: ${port}`,
      'bind_addresses: ["127.0.0.1"]',
      'rtc:',
      `  tcp_port: ${tcpPort}`,
      `  udp_port: ${udpPort}`,
      '  use_external_ip: false',
      '  node_ip: 127.0.0.1',
      'redis:',
      `  address: ${redis.hostname}:${redis.port || '6379'}`,
      'keys:',
      `  ${apiKey}: ${apiSecret}`,
      'logging:',
      '  level: warn',
      '',
    ].join('\n'),
  );
  const child = spawn(
    opts.binary ?? binaryPath('livekit-server', process.env.SWITCHBOARD_BIN_CACHE),
    ['--config', configPath, '--bind', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const stop = () =>
    new Promise<void>((done) => {
      const finish = () => {
        cleanup();
        done();
      };
      if (child.exitCode !== null || child.signalCode !== null) return finish();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        finish();
      });
      child.kill('SIGTERM');
    });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(url, child, opts.startTimeoutMs ?? 15_000, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, apiKey, apiSecret, port, process: child, output: () => output, stop };
}

async function waitForHttp(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`livekit-server exited with ${child.exitCode}:\n${output()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(500) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(
        `livekit-server did not answer on ${url} within ${timeoutMs} ms:\n${output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
