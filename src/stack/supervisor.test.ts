import { describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/index.js';
import { supervise, type Part } from './supervisor.js';

/** A part whose crash and stop the test controls. */
function fakePart(log: string[], id: number): Part & { crash: () => void } {
  let crash: (why: string) => void = () => undefined;
  return {
    crashed: new Promise((r) => (crash = r)),
    crash: () => crash(`part ${id} crashed`),
    stop: async () => void log.push(`stop ${id}`),
    kill: () => void log.push(`kill ${id}`),
  };
}

const quiet = createLogger({ level: 'silent' });

describe('supervise', () => {
  it('restarts a part that crashes, after a backoff, and stops the restarted one', async () => {
    const log: string[] = [];
    const parts: Array<ReturnType<typeof fakePart>> = [];
    const start = async () => {
      const part = fakePart(log, parts.length + 1);
      parts.push(part);
      log.push(`start ${parts.length}`);
      return part;
    };
    const supervised = await supervise('fake', start, quiet);
    parts[0]!.crash();
    await new Promise((r) => setTimeout(r, 500));
    expect(log).toEqual(['start 1']);
    await new Promise((r) => setTimeout(r, 700));
    expect(log).toEqual(['start 1', 'start 2']);
    await supervised.stop();
    expect(log).toEqual(['start 1', 'start 2', 'stop 2']);
  });

  it('stops what a restart in flight starts, when the stack stops meanwhile', async () => {
    const log: string[] = [];
    let n = 0;
    const first = fakePart(log, ++n);
    let release: () => void = () => undefined;
    const slow = new Promise<void>((r) => (release = r));
    const start = async () => {
      if (n === 1 && log.length > 0) {
        log.push('start 2 begins');
        await slow;
        return fakePart(log, ++n);
      }
      log.push('start 1');
      return first;
    };
    const supervised = await supervise('fake', start, quiet);
    first.crash();
    await new Promise((r) => setTimeout(r, 1100));
    const stopped = supervised.stop();
    release();
    await stopped;
    expect(log).toEqual(['start 1', 'start 2 begins', 'stop 2']);
  });
});
