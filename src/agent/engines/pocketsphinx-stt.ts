import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APIError,
  APITimeoutError,
  asLanguageCode,
  shortuuid,
  stt,
  type AudioBuffer,
} from '@livekit/agents';
import type { Logger } from '../../telemetry/index.js';
import { engineChildEnv } from './child-env.js';
import { POCKETSPHINX_SAMPLE_RATE, toRecognizerPcm } from './pocketsphinx-audio.js';
import type { PocketsphinxConfig } from './pocketsphinx-config.js';
import { buildGrammar, grammarWords, readPronunciations } from './pocketsphinx-grammar.js';

export interface PocketsphinxSTTOptions {
  config: PocketsphinxConfig;
  /** What to listen for: `grammarPhrases(classifierConfig, rulesConfig)` from the rules brain. */
  phrases: readonly string[];
  logger: Logger;
}

interface GrammarFiles {
  dir: string;
  grammar: string;
  dictionary: string;
  phrases: string[];
}

/**
 * Builds the grammar and a dictionary cut down to its words, writes both to a private temp dir
 * (pocketsphinx reads its dictionary twice, counting then loading, so it cannot come from a
 * pipe), and returns the recogniser. Words the dictionary lacks drop their phrase, with a warning.
 */
export async function createPocketsphinxSTT(
  opts: PocketsphinxSTTOptions,
): Promise<PocketsphinxSTT> {
  const { config, logger } = opts;
  const input = {
    phrases: [...opts.phrases, ...config.extraPhrases],
    lead: config.leadPhrases,
    tail: config.tailPhrases,
    decoy: config.decoyPhrases,
  };
  const pronunciations = await readPronunciations(config.dictionary, grammarWords(input));
  const built = buildGrammar(input, pronunciations);
  if (built.missingWords.length > 0) {
    logger.warn(
      { missingWords: built.missingWords, droppedPhrases: built.droppedPhrases },
      'offline grammar: words missing from the pocketsphinx dictionary, their phrases are not recognised',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-pocketsphinx-'));
  const files = {
    dir,
    grammar: join(dir, 'grammar.jsgf'),
    dictionary: join(dir, 'words.dict'),
    phrases: built.phrases,
  };
  try {
    await writeFile(files.grammar, built.jsgf, { mode: 0o600 });
    await writeFile(files.dictionary, built.dictionary, { mode: 0o600 });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return new PocketsphinxSTT(files, config, logger);
}

/**
 * Grammar dirs not closed yet. `stt.StreamAdapter.close()` does not close the STT it wraps, so
 * a session that only closes the adapter would leave one dir per call; removed at process exit.
 */
const openDirs = new Set<string>();
let exitHookInstalled = false;

function trackDir(dir: string): void {
  openDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of openDirs) rmSync(d, { recursive: true, force: true });
  });
}

/**
 * Offline STT: pocketsphinx_continuous with a JSGF command grammar, behind the agents-js STT
 * interface. Not streaming: the session wraps it with `new stt.StreamAdapter(stt, vad)`, which
 * hands it one VAD-delimited turn at a time.
 *
 * Only English: the only acoustic model packaged for Debian (`pocketsphinx-en-us`) is US English,
 * so transcripts are always `en` and the grammar holds English phrases. Audio goes to the
 * process on stdin (`-infile /dev/stdin`, read as raw PCM because the name does not end in
 * .wav) and is never written to disk.
 */
export class PocketsphinxSTT extends stt.STT {
  label = 'pocketsphinx.STT';
  #files: GrammarFiles;
  #config: PocketsphinxConfig;
  #logger: Logger;
  #running = new Set<ChildProcess>();
  #closed = false;

  /** Use {@link createPocketsphinxSTT}, which prepares the grammar files. */
  constructor(files: GrammarFiles, config: PocketsphinxConfig, logger: Logger) {
    super({ streaming: false, interimResults: false });
    this.#files = files;
    this.#config = config;
    this.#logger = logger;
    trackDir(files.dir);
  }

  get model(): string {
    return 'pocketsphinx-en-us';
  }

  get provider(): string {
    return 'local';
  }

  /** The keyword phrases the grammar recognises, in dictionary spelling. */
  get phrases(): readonly string[] {
    return this.#files.phrases;
  }

  protected async _recognize(
    buffer: AudioBuffer,
    abortSignal?: AbortSignal,
  ): Promise<stt.SpeechEvent> {
    if (this.#closed) throw new APIError('pocketsphinx STT is closed', { retryable: false });
    const pcm = toRecognizerPcm(buffer);
    const requestId = shortuuid('ps_');
    const text = pcm.byteLength === 0 ? '' : await this.#decode(pcm, requestId, abortSignal);
    return {
      type: stt.SpeechEventType.FINAL_TRANSCRIPT,
      requestId,
      alternatives: [
        {
          text,
          language: asLanguageCode('en'),
          startTime: 0,
          endTime: pcm.byteLength / 2 / POCKETSPHINX_SAMPLE_RATE,
          // A grammar decoder has no calibrated score; 1 means "a grammar path matched".
          confidence: text === '' ? 0 : 1,
        },
      ],
    };
  }

  stream(): stt.SpeechStream {
    throw new Error(
      'pocketsphinx STT is not streaming; wrap it: new stt.StreamAdapter(pocketsphinxStt, vad)',
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const child of this.#running) killGroup(child);
    await rm(this.#files.dir, { recursive: true, force: true });
    openDirs.delete(this.#files.dir);
  }

  #decode(pcm: Buffer, requestId: string, abortSignal?: AbortSignal): Promise<string> {
    const aborted = () => new APIError('pocketsphinx recognition aborted', { retryable: false });
    if (abortSignal?.aborted) return Promise.reject(aborted());
    const c = this.#config;
    const args = [
      ['-infile', '/dev/stdin'],
      ['-hmm', c.acousticModel],
      ['-dict', this.#files.dictionary],
      ['-jsgf', this.#files.grammar],
      ['-samprate', String(POCKETSPHINX_SAMPLE_RATE)],
      ['-beam', String(c.beam)],
      ['-pbeam', String(c.beam)],
      ['-wbeam', String(c.wordBeam)],
    ].flat();

    return new Promise<string>((resolve, reject) => {
      // Node gives a child's stdin as a socket, and pocketsphinx cannot fopen("/dev/stdin") on a
      // socket (ENXIO). `cat |` turns it into a real pipe. Its own process group, so a timeout
      // kills both processes.
      const child = spawn('sh', ['-c', 'cat | "$0" "$@"', c.command, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        env: engineChildEnv(),
      });
      this.#running.add(child);
      const out: Buffer[] = [];
      // The log goes to stderr (about 20 kB a run); keep only its ERROR and FATAL lines.
      const errors: string[] = [];
      let pending = '';
      // A line that is not pocketsphinx's log, e.g. the shell's "not found".
      let lastOther = '';
      let settled = false;

      const finish = (err: Error | undefined, text = '') => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        abortSignal?.removeEventListener('abort', onAbort);
        this.#running.delete(child);
        if (err) {
          killGroup(child);
          reject(err);
        } else resolve(text);
      };
      const onAbort = () => finish(aborted());
      const timer = setTimeout(
        () =>
          finish(
            new APITimeoutError({
              message: `pocketsphinx took longer than ${c.timeoutMs} ms`,
              options: { retryable: false },
            }),
          ),
        c.timeoutMs,
      );
      abortSignal?.addEventListener('abort', onAbort, { once: true });

      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (/^(ERROR|FATAL)/.test(line) && errors.length < 20) errors.push(line);
          else if (line.trim() !== '' && !/^(INFO|WARN|-|\s)/.test(line)) lastOther = line;
        }
      });
      child.on('error', (err) => {
        const failure = new APIError(`cannot run ${c.command}: ${err.message}`, {
          retryable: false,
        });
        // APIError takes no cause option; keep the spawn error for whoever reads this one.
        finish(Object.assign(failure, { cause: err }));
      });
      child.on('close', (code, signal) => {
        if (code !== 0) {
          const detail = errors.join('; ') || lastOther || `exit ${code ?? signal}`;
          return finish(new APIError(`pocketsphinx failed: ${detail}`, { retryable: false }));
        }
        // "Final result does not match the grammar" is pocketsphinx saying it heard no phrase.
        const unexpected = errors.filter((e) => !e.includes('does not match the grammar'));
        if (unexpected.length > 0) {
          this.#logger.warn({ requestId, errors: unexpected }, 'pocketsphinx reported errors');
        }
        // One line per utterance pocketsphinx's own VAD found inside the turn.
        const text = Buffer.concat(out)
          .toString('utf8')
          .split('\n')
          .map((l) => l.trim());
        finish(undefined, text.filter((l) => l !== '').join(' '));
      });
      // EPIPE if the process died before reading its input; 'close' reports why.
      child.stdin.on('error', () => undefined);
      child.stdin.end(pcm);
    });
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
