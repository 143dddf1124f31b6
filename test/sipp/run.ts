import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExternalHost } from '../support/netns.js';

/** The scenarios in this folder. */
export const SIPP_DIR = import.meta.dirname;

/** sipp on another host (its network namespace), bounded by its own -m and a hard kill at `timeoutMs`. */
export function sippOn(
  host: ExternalHost,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', host.netns, 'sipp', ...args, '-nostdin'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out });
    });
  });
}

/** The last value of a counter on sipp's final screens. */
export function sippCounter(out: string, name: RegExp): number {
  const values = [...out.matchAll(name)].map((m) => Number(m[1]));
  if (values.length === 0) throw new Error(`sipp printed no ${name}:\n${out.slice(-2000)}`);
  return values.at(-1)!;
}

/** What a run of edge-flood.xml sent, and every answer that came back to it. */
export function floodFigures(out: string): { sent: number; answers: number } {
  return {
    sent:
      sippCounter(out, /INVITE ---------->\s+(\d+)/g) +
      sippCounter(out, /OPTIONS ---------->\s+(\d+)/g),
    // Answers to calls sipp had finished (dead) or never knew (out-of-call): all it got back.
    answers: sippCounter(out, /(\d+) dead call msg/g) + sippCounter(out, /(\d+) out-of-call msg/g),
  };
}

/**
 * edge-flood.xml from `host` at `target`: `messages` INVITEs and OPTIONS (half each) at `rate`
 * messages per second over UDP, from one socket.
 */
export function flood(
  host: ExternalHost,
  target: string,
  messages: number,
  rate: number,
  localPort = 25070,
) {
  const calls = Math.ceil(messages / 2);
  return sippOn(
    host,
    [
      '-sf',
      join(SIPP_DIR, 'edge-flood.xml'),
      target,
      '-i',
      host.address,
      '-p',
      String(localPort),
      '-m',
      String(calls),
      '-r',
      String(Math.max(1, Math.round(rate / 2))),
      '-l',
      String(calls),
      '-timeout',
      `${Math.ceil(messages / rate) + 30}s`,
      // An answer that arrives between the two sends must not abort the call (nor send a CANCEL).
      '-default_behaviors',
      'none',
    ],
    (Math.ceil(messages / rate) + 45) * 1000,
  );
}

/** The pid of the livekit-sip whose command line names `<runDir>/config/livekit-sip.yaml`. */
export function livekitSipPid(runDir: string): number {
  const conf = join(runDir, 'config', 'livekit-sip.yaml');
  const pids = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return cmd[0]?.endsWith('livekit-sip') && cmd.includes(conf);
      } catch {
        return false;
      }
    });
  if (pids.length !== 1)
    throw new Error(`expected one livekit-sip for ${conf}, found ${pids.length}`);
  return Number(pids[0]);
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat; after "pid (comm) " they are at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
