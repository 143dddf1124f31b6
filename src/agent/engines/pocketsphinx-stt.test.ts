import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stt } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRulesBrain, grammarPhrases } from '../brains/rules.js';
import { rulesBrainConfigSchema } from '../brains/rules-config.js';
import { classifierConfigSchema, createClassifier } from '../classify/index.js';
import { createLogger } from '../../telemetry/index.js';
import { pocketsphinxConfigSchema } from './pocketsphinx-config.js';
import { createPocketsphinxSTT, type PocketsphinxSTT } from './pocketsphinx-stt.js';

const classifierConfig = classifierConfigSchema.parse({});
const rulesConfig = rulesBrainConfigSchema.parse({});
const phrases = grammarPhrases(classifierConfig, rulesConfig);

/** The test's own temp dir: espeak writes WAVs here, and it is deleted afterwards. */
let dir: string;
const logLines: Record<string, unknown>[] = [];
const logger = createLogger(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  }),
);

/** espeak-ng → sox → 20 ms AudioFrames at `rate`, as the room would deliver them. */
function speak(text: string, rate = 16000): AudioFrame[] {
  const wav = join(dir, 'speech.wav');
  execFileSync('espeak-ng', ['-v', 'en', '-w', wav, text]);
  const raw = execFileSync('sox', [
    wav,
    '-r',
    String(rate),
    '-c',
    '1',
    '-b',
    '16',
    '-e',
    'signed-integer',
    '-t',
    'raw',
    '-',
  ]);
  rmSync(wav);
  const samples = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
  const step = rate / 50;
  const frames: AudioFrame[] = [];
  for (let i = 0; i < samples.length; i += step) {
    const chunk = samples.slice(i, i + step);
    frames.push(new AudioFrame(chunk, rate, 1, chunk.length));
  }
  return frames;
}

async function transcribe(engine: stt.STT, frames: AudioFrame[]) {
  const started = performance.now();
  const event = await engine.recognize(frames);
  return { event, text: event.alternatives?.[0].text ?? '', ms: performance.now() - started };
}

/** A stand-in command for failure paths: a shell script in the test dir. */
function fakeCommand(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o700);
  return path;
}

describe('PocketsphinxSTT', () => {
  let engine: PocketsphinxSTT;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-ps-test-'));
    engine = await createPocketsphinxSTT({
      config: pocketsphinxConfigSchema.parse({}),
      phrases,
      logger,
    });
  });

  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a non-streaming English engine for the StreamAdapter', () => {
    expect(engine.capabilities).toMatchObject({ streaming: false, interimResults: false });
    expect(() => engine.stream()).toThrow(/StreamAdapter/);
  });

  it('hears "I want to speak to a person" and the classifier hands off', async () => {
    const { event, text, ms } = await transcribe(engine, speak('I want to speak to a person'));
    expect(event.type).toBe(stt.SpeechEventType.FINAL_TRANSCRIPT);
    expect(event.alternatives?.[0].language).toBe('en');
    expect(text).toContain('i want to speak to a person');
    expect(createClassifier(classifierConfig).classify(text)?.intent).toBe('HANDOFF_REQUEST');
    // Recognition time is a benchmark's business (bench/timeouts), not a unit test's.
    console.info(`pocketsphinx: "${text}" in ${ms.toFixed(0)} ms (16 kHz input)`);
  });

  it('hears a FAQ question from 48 kHz room audio and the rules brain answers it', async () => {
    const { text, ms } = await transcribe(engine, speak('Where can I park my car?', 48000));
    expect(text).toContain('park');
    expect(createClassifier(classifierConfig).classify(text)).toBeUndefined();
    expect(createRulesBrain(rulesConfig).answer(text, 'en')).toMatchObject({
      kind: 'faq',
      id: 'parking',
    });
    console.info(`pocketsphinx: "${text}" in ${ms.toFixed(0)} ms (48 kHz input, resampled)`);
  });

  it('hears an emergency phrase', async () => {
    const { text } = await transcribe(engine, speak('My father has a heart attack'));
    expect(createClassifier(classifierConfig).classify(text)?.intent).toBe('EMERGENCY');
  });

  it('returns an empty transcript for no audio, which the StreamAdapter skips', async () => {
    const { text } = await transcribe(engine, []);
    expect(text).toBe('');
  });

  it('names the configured words the dictionary lacks, once, at start-up', () => {
    const warnings = logLines.filter((l) => Array.isArray(l.missingWords));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.missingWords).toEqual(['helpdesk']);
    expect(engine.phrases).toContain('help desk');
    expect(engine.phrases).not.toContain('helpdesk');
  });
});

describe('PocketsphinxSTT failures', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-ps-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const withConfig = (over: Record<string, unknown>) =>
    createPocketsphinxSTT({ config: pocketsphinxConfigSchema.parse(over), phrases, logger });

  it('reports a missing acoustic model with pocketsphinx own error', async () => {
    const engine = await withConfig({ acousticModel: join(dir, 'no-model') });
    await expect(engine.recognize(speak('operator'))).rejects.toThrow(
      /pocketsphinx failed: .*acoustic model/,
    );
    await engine.close();
  });

  it('reports a command that does not exist', async () => {
    const engine = await withConfig({ command: join(dir, 'no-such-binary') });
    await expect(engine.recognize(speak('operator'))).rejects.toThrow(/not found/);
    await engine.close();
  });

  it('times out a hung decoder and kills it', async () => {
    const pidFile = join(dir, 'hung.pid');
    const command = fakeCommand('hung.sh', `echo $$ > ${pidFile}\nexec sleep 30`);
    const engine = await withConfig({ command, timeoutMs: 500 });
    // How soon it gives up is measured in bench/timeouts.
    await expect(engine.recognize(speak('operator'))).rejects.toThrow(/longer than 500 ms/);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    // Killed means gone or a zombie waiting for its reaper; poll briefly for either.
    const running = () => {
      try {
        return !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 20 && running(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(running()).toBe(false);
    await engine.close();
  });

  it('stops on abort, and refuses work after close, which removes its grammar files', async () => {
    const ours = () =>
      new Set(readdirSync(tmpdir()).filter((d) => d.startsWith('switchboard-pocketsphinx-')));
    const before = ours();
    const engine = await withConfig({ command: fakeCommand('slow.sh', 'exec sleep 30') });
    const [grammarDir] = [...ours()].filter((d) => !before.has(d));
    expect(grammarDir).toBeDefined();
    expect(readdirSync(join(tmpdir(), grammarDir as string)).sort()).toEqual([
      'grammar.jsgf',
      'words.dict',
    ]);

    const controller = new AbortController();
    const pending = engine.recognize(speak('operator'), controller.signal);
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toThrow(/aborted/);

    await engine.close();
    expect(existsSync(join(tmpdir(), grammarDir as string))).toBe(false);
    await expect(engine.recognize(speak('operator'))).rejects.toThrow(/closed/);
  });
});
