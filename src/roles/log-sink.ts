/**
 * `switchboard run log-sink`: a syslog receiver for the logs of processes we do not start
 * ourselves. Under compose, livekit-server runs from its official image; Docker would keep its
 * stdout (room names and identities that can carry the caller's number) in its own log files.
 * Compose sends it here instead (`logging: driver: syslog`, `syslog-format: rfc5424`), and every
 * message leaves as one JSON line through the same phone-number scrubber `up` uses.
 */
import { createServer, type Socket } from 'node:net';
import { pseudonymizerFromConfig } from '../admission/index.js';
import type { SwitchboardConfig } from '../config/index.js';
import { createScrubbingStream, type NumberPseudonymizer } from '../privacy/index.js';

/** Where compose's `syslog-address: tcp://127.0.0.1:5514` finds the sink. */
export const LOG_SINK_DEFAULTS = { host: '127.0.0.1', port: 5514 } as const;

export interface LogSinkOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Receives one scrubbed, newline-terminated JSON line per message. */
  write: (line: string) => void;
  /** Numbers become pseudonyms with one, `[number]` without. */
  pseudonymizer?: NumberPseudonymizer;
  /**
   * A larger frame is dropped whole, never cut: a cut could split a number so that neither half
   * looks like one. Docker splits a log line into 16 KiB messages, so this leaves room.
   */
  maxFrameBytes?: number;
  /** Connections beyond this are closed at once; the Docker daemon holds one per container. */
  maxConnections?: number;
}

export interface LogSinkStats {
  frames: number;
  malformed: number;
  /** Oversized frames, and octet-counted frames cut short by the peer closing. */
  dropped: number;
  refusedConnections: number;
}

export interface LogSink {
  port: number;
  stats(): LogSinkStats;
  /** Stops listening, closes every connection and flushes what was received. */
  close(): Promise<void>;
}

const defaults = { maxFrameBytes: 64 * 1024, maxConnections: 32 };

/** Starts the sink on the role's address, writing to stdout, scrubbed with the config's key. */
export function runLogSink(
  config: Pick<SwitchboardConfig, 'admission'>,
  address: { host: string; port: number },
  out: NodeJS.WritableStream = process.stdout,
): Promise<LogSink> {
  // A reader of stdout that went away must not take the sink down with EPIPE.
  let open = true;
  out.on('error', () => (open = false));
  return startLogSink({
    ...address,
    pseudonymizer: pseudonymizerFromConfig(config.admission),
    write: (line) => {
      if (open) out.write(line);
    },
  });
}

export function startLogSink(opts: LogSinkOptions): Promise<LogSink> {
  const maxFrameBytes = opts.maxFrameBytes ?? defaults.maxFrameBytes;
  const stats: LogSinkStats = { frames: 0, malformed: 0, dropped: 0, refusedConnections: 0 };
  const scrub = createScrubbingStream(opts.pseudonymizer);
  scrub.setEncoding('utf8');
  let partial = '';
  scrub.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) opts.write(`${line}\n`);
  });
  const flushed = new Promise<void>((done) => scrub.on('end', done));

  // Backpressure: a socket whose frame the scrubber could not take at once waits for its drain.
  const paused = new Set<Socket>();
  scrub.on('drain', () => {
    for (const socket of paused) socket.resume();
    paused.clear();
  });
  const emit = (socket: Socket, record: object) => {
    if (!scrub.write(`${JSON.stringify(record)}\n`) && !paused.has(socket)) {
      paused.add(socket);
      socket.pause();
    }
  };

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const frames = createDeframer(maxFrameBytes, {
      frame(bytes) {
        stats.frames += 1;
        const record = parseSyslog(bytes.toString('utf8'));
        if (record.malformed) stats.malformed += 1;
        emit(socket, record);
      },
      dropped(reason, bytes) {
        stats.dropped += 1;
        emit(socket, {
          app: 'log-sink',
          severity: 'warning',
          msg: 'dropped a frame',
          reason,
          bytes,
        });
      },
    });
    socket.on('data', (chunk: Buffer) => frames.push(chunk));
    socket.on('end', () => frames.end());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      paused.delete(socket);
    });
  });
  server.maxConnections = opts.maxConnections ?? defaults.maxConnections;
  server.on('drop', () => (stats.refusedConnections += 1));

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const address = server.address();
      let closing: Promise<void> | undefined;
      resolve({
        port: typeof address === 'object' && address ? address.port : opts.port,
        stats: () => ({ ...stats }),
        close() {
          closing ??= (async () => {
            const closed = new Promise<void>((done) => server.close(() => done()));
            for (const socket of sockets) socket.destroy();
            await closed;
            scrub.end();
            await flushed;
          })();
          return closing;
        },
      });
    });
  });
}

interface DeframerEvents {
  frame(bytes: Buffer): void;
  dropped(reason: 'over the size limit' | 'connection closed mid-frame', bytes: number): void;
}

/**
 * RFC 6587 framing, decided per frame as rsyslog does: `<length> <message>` (octet counting) when
 * the frame starts with a digit, otherwise a message up to the next LF (non-transparent framing;
 * RFC 5424 messages start with `<`). Never holds more than `max` bytes of a frame.
 */
export function createDeframer(max: number, on: DeframerEvents) {
  let buf: Buffer = Buffer.alloc(0);
  let skip = 0; // bytes still to drop of an oversized octet-counted frame
  let toNewline = false; // dropping an oversized LF-terminated frame up to its end

  const drain = () => {
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, buf.length);
        buf = buf.subarray(n);
        skip -= n;
        if (skip > 0) return;
      }
      if (toNewline) {
        const lf = buf.indexOf(0x0a);
        buf = lf < 0 ? Buffer.alloc(0) : buf.subarray(lf + 1);
        if (lf < 0) return;
        toNewline = false;
      }
      if (buf.length === 0) return;
      const header = /^([1-9]\d{0,9}) /.exec(buf.subarray(0, 12).toString('latin1'));
      if (header?.[1] !== undefined) {
        const length = Number(header[1]);
        const start = header[0].length;
        if (length > max) {
          on.dropped('over the size limit', length);
          buf = buf.subarray(start);
          skip = length;
          continue;
        }
        if (buf.length < start + length) return;
        on.frame(buf.subarray(start, start + length));
        buf = buf.subarray(start + length);
        continue;
      }
      const lf = buf.indexOf(0x0a);
      if (lf < 0) {
        if (buf.length > max) {
          on.dropped('over the size limit', buf.length);
          buf = Buffer.alloc(0);
          toNewline = true;
        }
        return;
      }
      const frame = buf.subarray(0, lf > 0 && buf[lf - 1] === 0x0d ? lf - 1 : lf);
      buf = buf.subarray(lf + 1);
      if (frame.length > max) on.dropped('over the size limit', frame.length);
      else if (frame.length > 0) on.frame(frame);
    }
  };

  return {
    push(chunk: Buffer) {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      drain();
    },
    /** The peer closed: a last LF-less message still counts; a short octet-counted one does not. */
    end() {
      if (buf.length === 0 || skip > 0 || toNewline) return;
      if (/^[1-9]\d{0,9} /.test(buf.subarray(0, 12).toString('latin1')))
        on.dropped('connection closed mid-frame', buf.length);
      else on.frame(buf);
      buf = Buffer.alloc(0);
    },
  };
}

const SEVERITY = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const RFC5424_HEAD = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) \S+ \S+ /;
const RFC3164 =
  /^<(\d{1,3})>(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d )?(?:\S+ )?([^\s:[\]]+)(?:\[\d+\])?: /;

export interface SyslogRecord {
  app?: string;
  host?: string;
  time?: string;
  severity?: string;
  /** Structured data, as sent. */
  sd?: string;
  msg: string;
  /** Not syslog at all: the whole frame is `msg`. */
  malformed?: true;
}

/**
 * The fields of an RFC 5424 message (RFC 3164 as a fallback), with the MSG made safe for the
 * scrubber: the scrubber sees digits and separators, so text that hides a number from it (control
 * characters, which JSON would escape into letters; tabs; fullwidth digits; zero-width and narrow
 * spaces) is normalised first.
 */
export function parseSyslog(text: string): SyslogRecord {
  const head = RFC5424_HEAD.exec(text);
  if (head && Number(head[1]) <= 191) {
    const rest = text.slice(head[0].length);
    const sdEnd = structuredDataEnd(rest);
    if (sdEnd !== undefined && (sdEnd === rest.length || rest[sdEnd] === ' ')) {
      return clean({
        app: head[4],
        host: head[3],
        time: head[2],
        severity: SEVERITY[Number(head[1]) % 8],
        sd: rest.slice(0, sdEnd),
        msg: rest.slice(sdEnd + 1).replace(/^\ufeff/, ''),
      });
    }
  }
  const bsd = RFC3164.exec(text);
  if (bsd && Number(bsd[1]) <= 191) {
    return clean({
      app: bsd[2],
      severity: SEVERITY[Number(bsd[1]) % 8],
      msg: text.slice(bsd[0].length),
    });
  }
  return { malformed: true, msg: plain(text) };
}

/** Index just past STRUCTURED-DATA (`-` or `[id k="v"]...`, with `\"`, `\\`, `\]` escapes). */
function structuredDataEnd(s: string): number | undefined {
  if (s.startsWith('-')) return 1;
  let i = 0;
  while (s[i] === '[') {
    let quoted = false;
    for (i += 1; i < s.length; i += 1) {
      if (quoted && s[i] === '\\') i += 1;
      else if (s[i] === '"') quoted = !quoted;
      else if (!quoted && s[i] === ']') break;
    }
    if (i >= s.length) return undefined;
    i += 1;
  }
  return i === 0 ? undefined : i;
}

/** Every field made plain; a field with RFC 5424's nil value `-` is left out. */
function clean(fields: Partial<Record<keyof SyslogRecord, string>>): SyslogRecord {
  const record: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || (value === '-' && key !== 'msg')) continue;
    record[key] = plain(value);
  }
  return { ...record, msg: record.msg ?? '' };
}

// Decoded from UTF-8 with replacement characters, so the text has no lone surrogates, which
// JSON would escape into letters and digits.
function plain(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .replace(/[\p{Cc}\p{Z}]/gu, ' ')
    .trimEnd();
}
