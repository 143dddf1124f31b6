import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { detectAnsweringMachine, type CalleeSpeech } from './answering-machine.js';

function callee() {
  const events = new EventEmitter();
  const speech: CalleeSpeech = {
    onSpeaking: (l) => events.on('speaking', l),
    onSilent: (l) => events.on('silent', l),
  };
  return {
    speech,
    speak: () => events.emit('speaking'),
    stop: () => events.emit('silent'),
  };
}

describe('detectAnsweringMachine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a short "hello?" followed by silence is a person', async () => {
    const c = callee();
    const verdict = detectAnsweringMachine(c.speech);
    await vi.advanceTimersByTimeAsync(400);
    c.speak();
    await vi.advanceTimersByTimeAsync(700);
    c.stop();
    await vi.advanceTimersByTimeAsync(499);
    let settled: string | undefined;
    void verdict.then((v) => (settled = v));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(await verdict).toBe('human');
  });

  it('a greeting that talks on past 2.5 s is a machine, even with pauses', async () => {
    const c = callee();
    const verdict = detectAnsweringMachine(c.speech);
    c.speak();
    await vi.advanceTimersByTimeAsync(1_500);
    c.stop();
    await vi.advanceTimersByTimeAsync(300);
    c.speak();
    await vi.advanceTimersByTimeAsync(800);
    expect(await verdict).toBe('machine');
  });

  it('silence after the answer is uncertain (the agent then speaks)', async () => {
    const c = callee();
    const verdict = detectAnsweringMachine(c.speech, { noSpeechMs: 3_000 });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await verdict).toBe('uncertain');
  });

  it('a person who speaks again within the silence window is still heard out', async () => {
    const c = callee();
    const verdict = detectAnsweringMachine(c.speech);
    c.speak();
    await vi.advanceTimersByTimeAsync(500);
    c.stop();
    await vi.advanceTimersByTimeAsync(300);
    c.speak();
    await vi.advanceTimersByTimeAsync(400);
    c.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(await verdict).toBe('human');
  });
});
