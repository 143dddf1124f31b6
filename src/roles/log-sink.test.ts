import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { scanForPhoneNumbers } from '../../test/support/leak-scan.js';
import { createPseudonymizer } from '../admission/index.js';
import { startLogSink, type LogSink, type LogSinkOptions } from './log-sink.js';

const CALLER = '+32 2 555 01 42';
const pseudonymizer = createPseudonymizer({
  keys: [{ id: 'k1', secret: 'test-secret-0123456789abcdef' }],
  region: 'BE',
});
const caller = pseudonymizer.pseudonymize(CALLER)!;

/** What Docker's syslog driver sends with `syslog-format: rfc5424` and `tag: livekit-server`. */
const rfc5424 = (msg: string, app = 'livekit-server', pri = 30) =>
  `<${pri}>1 2026-01-05T10:20:05+01:00 pilot-host ${app} 4242 ${app} - ${msg}`;
const octet = (frame: string) => `${Buffer.byteLength(frame)} ${frame}`;
const lf = (frame: string) => `${frame}\n`;

/** How livekit-server's console logger writes a line (tab-separated, JSON fields last). */
const livekitLine = (number: string) =>
  `2026-01-05T09:20:05.047Z\tINFO\tlivekit\tservice/roommanager.go:412\tstarting RTC session\t` +
  `{"room": "call-_${number}_Xy9", "participant": "sip_${number}", "remote": false}`;

// The caller's number as livekit, carriers and people write it, and as text that hides digits
// from a pattern: fullwidth, zero-width space, tabs, no-break and narrow no-break spaces, a line
// break inside an octet-counted message.
const SPELLINGS = [
  '+3225550142',
  '003225550142',
  '02 555 01 42',
  '02/555.01.42',
  '%2B3225550142',
  'sip:+3225550142@pbx.example',
  '＋３２２５５５０１４２',
  '+32\u200b25550142',
  '02\t555\t01\t42',
  '02\u00a0555\u00a001\u00a042',
  '02\u202f555\u202f01\u202f42',
  // Grouped forms with a one-digit area code (Brussels 2, Antwerp 3, Liège 4, Ghent 9).
  '+32 2 555 01 42',
  '0032 2 555 01 42',
  '00 32 2 555 01 42',
  '+32 (0)2 555 01 42',
  'tel:+32-2-555-01-42',
  '+32 2 5550142',
  // Last: the one with a line break inside (newline framing splits it).
  '02 555\n01 42',
];

let sink: LogSink | undefined;
let lines: string[] = [];

async function start(opts: Partial<LogSinkOptions> = {}): Promise<LogSink> {
  lines = [];
  sink = await startLogSink({
    host: '127.0.0.1',
    port: 0,
    pseudonymizer,
    write: (line) => lines.push(line),
    ...opts,
  });
  return sink;
}

/**
 * Sends each chunk as its own write, a few ms apart so they arrive in separate segments, then
 * waits until the sink has read everything and closed its side.
 */
async function send(port: number, chunks: (string | Buffer)[]): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((ready, fail) => socket.once('connect', ready).once('error', fail));
  for (const chunk of chunks) {
    socket.write(chunk);
    await sleep(5);
  }
  const closed = new Promise<void>((done) => socket.once('close', () => done()));
  socket.end();
  await closed;
}

const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const leaks = (out: string[]) => scanForPhoneNumbers(out, [CALLER]);

afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

describe('log sink', () => {
  it('writes one scrubbed line per newline-delimited message, keeping the app name', async () => {
    const { port } = await start();
    await send(port, [...SPELLINGS.slice(0, -1).map((s) => lf(rfc5424(livekitLine(s))))]);
    await sink!.close();

    expect(lines).toHaveLength(SPELLINGS.length - 1);
    expect(lines.every((line) => line.endsWith('}\n') && !line.slice(0, -1).includes('\n'))).toBe(
      true,
    );
    expect(leaks(lines)).toEqual([]);
    for (const record of records()) {
      expect(record).toMatchObject({
        app: 'livekit-server',
        host: 'pilot-host',
        time: '2026-01-05T10:20:05+01:00',
        severity: 'info',
      });
      expect(record.msg).toMatch(/starting RTC session/);
    }
    // The number becomes the caller's pseudonym, so the line stays linkable to the call.
    expect(records()[0]?.msg).toContain(`"participant": "sip_${caller}"`);
  });

  it('reads octet-counted frames split anywhere, a line break inside one included', async () => {
    const { port } = await start();
    const stream = Buffer.from(SPELLINGS.map((s) => octet(rfc5424(`caller ${s} rang`))).join(''));
    // Cut through length headers, the multibyte fullwidth digits and messages alike.
    const cuts = [1, 3, 40, 41, 97, 150, 151, 152, 300, 301];
    const chunks = [0, ...cuts].map((from, i) => stream.subarray(from, cuts[i] ?? stream.length));
    await send(port, chunks);
    await sink!.close();

    expect(lines).toHaveLength(SPELLINGS.length);
    expect(leaks(lines)).toEqual([]);
    for (const { msg } of records())
      expect(msg).toMatch(new RegExp(`^caller (sip:|tel:)?${caller}(@pbx.example)? rang$`));
  });

  it('takes both framings on one connection, with structured data and a BOM', async () => {
    const { port } = await start();
    const sd = '[origin ip="127.0.0.1" note="a \\"quoted\\" \\] bracket"]';
    await send(port, [
      lf(rfc5424('first')),
      octet(`<27>1 - - agent - - ${sd} \ufeffsecond`),
      lf('<14>Jan  5 10:20:05 pilot-host redis[7]: third via +3225550142'),
    ]);
    await sink!.close();

    expect(records()).toEqual([
      {
        app: 'livekit-server',
        host: 'pilot-host',
        time: '2026-01-05T10:20:05+01:00',
        severity: 'info',
        msg: 'first',
      },
      { app: 'agent', severity: 'err', sd, msg: 'second' },
      { app: 'redis', severity: 'info', msg: `third via ${caller}` },
    ]);
  });

  it('survives garbage: it is written as malformed, scrubbed, and the next frame still arrives', async () => {
    const { port } = await start();
    const garbage = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x1b]),
      Buffer.from(' GET / HTTP/1.1 <999>7 call 02/555.01.42 \xc3('),
      Buffer.from([0xc3, 0x28, 0x0a]),
    ]);
    await send(port, [garbage, '0 \n', lf('[]]]['), lf(rfc5424('still here'))]);
    expect(sink!.stats()).toMatchObject({ malformed: 3 });
    await sink!.close();

    expect(leaks(lines)).toEqual([]);
    const [first, ...rest] = records();
    expect(first).toMatchObject({ malformed: true });
    expect(first?.msg).toContain(caller);
    expect(rest.at(-1)).toMatchObject({ app: 'livekit-server', msg: 'still here' });
  });

  it('drops an oversized frame whole in either framing, and a frame cut short', async () => {
    const { port } = await start({ maxFrameBytes: 256 });
    const big = rfc5424(`${'x'.repeat(200)} +3225550142 ${'y'.repeat(200)}`);
    await send(port, [
      octet(big),
      lf(rfc5424('after octet')),
      big.slice(0, 150),
      `${big.slice(150)}\n`,
      lf(rfc5424('after newline')),
      octet(rfc5424('cut short')).slice(0, 30),
    ]);
    await sink!.close();

    expect(leaks(lines)).toEqual([]);
    expect(records()).toEqual([
      expect.objectContaining({ app: 'log-sink', reason: 'over the size limit' }),
      expect.objectContaining({ msg: 'after octet' }),
      expect.objectContaining({ app: 'log-sink', reason: 'over the size limit' }),
      expect.objectContaining({ msg: 'after newline' }),
      expect.objectContaining({ app: 'log-sink', reason: 'connection closed mid-frame' }),
    ]);
    expect(lines.join('')).not.toContain('xxx');
  });

  it('closes connections beyond its limit and keeps serving the others', async () => {
    const { port } = await start({ maxConnections: 2 });
    const open = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    await Promise.all(open.map((s) => new Promise((ok) => s.once('connect', ok))));
    await sleep(20);
    const third = connect(port, '127.0.0.1');
    await new Promise((closed) => third.once('close', closed).on('error', () => undefined));
    expect(sink!.stats().refusedConnections).toBe(1);

    open[1]!.end(lf(rfc5424('from the second')));
    await new Promise((closed) => open[1]!.once('close', closed));
    open[0]!.destroy();
    await sink!.close();
    expect(records()).toEqual([expect.objectContaining({ msg: 'from the second' })]);
  });
});
