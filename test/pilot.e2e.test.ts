import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWithBaresip, type CallOptions, type CallResult } from './support/baresip.js';
import { silenceWav, speechWav, voicedSeconds } from './support/audio.js';
import { agentLines, callAndRecord } from './support/call-record.js';
import { referTo, sipTranscript, WAV_DIR } from './support/calls.js';
import { scanForPhoneNumbers } from './support/leak-scan.js';
import { activeJobs, eventually, roomService } from './support/livekit.js';
import {
  createTestNetwork,
  execOn,
  execOnAsync,
  type ExternalHost,
  type TestNetwork,
} from './support/netns.js';
import { E2E_ENV, ROOT, stopStack, useStack, type StackHandle } from './support/stack.js';
import { createTestCa, replaceFile, type TestCa } from './support/test-ca.js';

const PILOT_CONFIG = join(ROOT, 'test', 'e2e', 'pilot.e2e.yaml');
/** The number the carrier trunk answers, and the caller's (fictional). */
const CALLED = '+3225550100';
const CALLER = '+3225550142';

/** The certificate the gateway serves on `address:port`, as openssl on `host` sees it. */
function servedCertificate(
  host: ExternalHost,
  address: string,
  caFile: string,
): { verified: boolean; serial?: string; output: string } {
  const probe = execOn(
    host,
    'openssl',
    [
      's_client',
      '-connect',
      `${address}:5061`,
      '-CAfile',
      caFile,
      '-verify_ip',
      address,
      '-verify_return_error',
    ],
    '',
  );
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(
    probe.stdout,
  )?.[0];
  return {
    verified: probe.status === 0 && /Verify return code: 0 \(ok\)/.test(probe.stdout),
    serial: pem ? new X509Certificate(pem).serialNumber : undefined,
    output: `${probe.stdout}\n${probe.stderr}`,
  };
}

/** Whether anything on `host` hears back from `address:port` over UDP (an OPTIONS) or TCP. */
async function probePort(
  host: ExternalHost,
  address: string,
  port: number,
): Promise<{ udp: boolean; tcp: boolean }> {
  const script = `
    const dgram = require('node:dgram'), net = require('node:net');
    const result = { udp: false, tcp: false };
    const s = dgram.createSocket('udp4');
    s.on('message', () => (result.udp = true));
    s.bind(0, '${host.address}', () => {
      const via = 'SIP/2.0/UDP ${host.address}:' + s.address().port + ';branch=z9hG4bKprobe' + Date.now();
      s.send(['OPTIONS sip:${address}:${port} SIP/2.0', 'Via: ' + via, 'From: <sip:probe@${host.address}>;tag=1',
        'To: <sip:${address}>', 'Call-ID: probe-' + Date.now(), 'CSeq: 1 OPTIONS', 'Max-Forwards: 70',
        'Content-Length: 0', '', ''].join('\\r\\n'), ${port}, '${address}');
    });
    const c = net.connect({ host: '${address}', port: ${port}, localAddress: '${host.address}' });
    c.on('connect', () => { result.tcp = true; c.destroy(); });
    c.on('error', () => {});
    setTimeout(() => { console.log(JSON.stringify(result)); process.exit(0); }, 2500);
  `;
  const out = await execOnAsync(host, process.execPath, ['-e', script]);
  return JSON.parse(out.stdout.trim()) as { udp: boolean; tcp: boolean };
}

describe('pilot: a call from another host over SIP-TLS and SRTP', () => {
  let net: TestNetwork;
  let ca: TestCa;
  let stack: StackHandle;
  /** The Let's Encrypt layout the gateway reads: live/<name>/fullchain.pem and privkey.pem. */
  let live: { cert: string; key: string };
  let carrierCert: string;
  let firstSerial: string;

  beforeAll(async () => {
    net = createTestNetwork();
    ca = createTestCa();
    const gateway = ca.issue('gateway-1', ['DNS:sip.pilot.test', `IP:${net.gatewayAddress}`]);
    firstSerial = gateway.serial;
    carrierCert = ca.issue('carrier', [`IP:${net.caller.address}`]).bundleFile;
    const dir = mkdtempSync(join(tmpdir(), 'sb-letsencrypt-'));
    live = { cert: join(dir, 'fullchain.pem'), key: join(dir, 'privkey.pem') };
    copyFileSync(gateway.chainFile, live.cert);
    copyFileSync(gateway.keyFile, live.key);
    process.env.SWITCHBOARD_E2E_TLS_CERT = live.cert;
    process.env.SWITCHBOARD_E2E_TLS_KEY = live.key;
    process.env.SWITCHBOARD_E2E_TLS_CA = ca.caFile;
    stack = await useStack(PILOT_CONFIG);
  });

  afterAll(async () => {
    if (stack) await stopStack(stack);
    net?.remove();
  });

  /** A carrier's call over TLS from the allowed host, offering SRTP only. */
  const carrierCall = (opts: Partial<CallOptions> & Pick<CallOptions, 'playWav'>) =>
    callWithBaresip({
      username: CALLER,
      target: `sip:${CALLED}@${net.gatewayAddress}:5061;transport=tls`,
      host: net.caller,
      tls: { certFile: carrierCert },
      srtp: true,
      codecs: ['G722'],
      maxSeconds: 45,
      ...opts,
    });

  const finalStatus = (call: CallResult) =>
    sipTranscript(call.sipTrace).find(
      (m) => m.cseqMethod === 'INVITE' && m.status !== undefined && m.status >= 200,
    )?.status;

  it('serves its certificate on 5061 to the other host, verified against the test CA', () => {
    const served = servedCertificate(net.caller, net.gatewayAddress, ca.caFile);
    expect(served.verified, served.output).toBe(true);
    expect(served.serial).toBe(firstSerial);
    // The same probe with a CA that did not issue it fails: the check can tell.
    const other = createTestCa('Some other CA');
    expect(servedCertificate(net.caller, net.gatewayAddress, other.caFile).verified).toBe(false);
  });

  it('answers over TLS with SRTP both ways, greets, and hands off with a REFER over TLS', async () => {
    const spoken = speechWav(join(WAV_DIR, 'pilot-handoff.wav'), 'I want to speak to a person', {
      padSeconds: 5,
      tailSeconds: 25,
    });
    const { call, transcript } = await callAndRecord(stack, () =>
      carrierCall({ playWav: spoken, hangupAfterMs: 14_000, maxSeconds: 35 }),
    );
    expect(call.established).toBe(true);
    const messages = sipTranscript(call.sipTrace);
    const invite = messages.find((m) => m.startLine.startsWith('INVITE sip:+3225550100'))!;
    const ok = messages.find((m) => m.status === 200 && m.cseqMethod === 'INVITE')!;
    for (const sdp of [invite.text, ok.text]) {
      expect(sdp).toMatch(/^m=audio \d+ RTP\/SAVP /m);
      expect(sdp).toMatch(/^a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:/m);
    }
    // Every message to and from the gateway went over TLS on the link: baresip prints the
    // connection before each message.
    expect(call.sipTrace).toMatch(/^TLS 10\.77\.0\.2:\d+ -> 10\.77\.0\.1:5061\r?\nINVITE sip:/m);
    expect(call.sipTrace).toMatch(/^TLS 10\.77\.0\.1:\d+ -> 10\.77\.0\.2:\d+\r?\nREFER sip:/m);
    expect(referTo(call.sipTrace)).toEqual([stack.config.agent.handoff.target]);
    expect(voicedSeconds(call.heard!)).toBeGreaterThan(1);
    expect(agentLines(transcript)).toContain(stack.config.agent.handoff.announce.en);
  });

  it('gives no answer on plain SIP (UDP or TCP 5060) under pilot, nor on the internal ports', async () => {
    // A control: the probe does hear a UDP answer and a TCP accept where something answers.
    const echo = createSocket('udp4');
    await new Promise<void>((r) => echo.bind(5999, net.gatewayAddress, () => r()));
    echo.on('message', (msg, from) => echo.send('SIP/2.0 200 OK\r\n\r\n', from.port, from.address));
    try {
      expect((await probePort(net.caller, net.gatewayAddress, 5999)).udp).toBe(true);
    } finally {
      echo.close();
    }
    expect((await probePort(net.caller, net.gatewayAddress, 5061)).tcp).toBe(true);

    expect(await probePort(net.caller, net.gatewayAddress, 5060)).toEqual({
      udp: false,
      tcp: false,
    });
    const base = stack.config.sip.internalPortBase;
    for (const port of [base, base + 1, base + 2, base + 3]) {
      expect(
        await probePort(net.caller, net.gatewayAddress, port),
        `internal port ${port}`,
      ).toEqual({
        udp: false,
        tcp: false,
      });
    }
  });

  /** Calls that must create no room and start no job. */
  async function expectNoCallAdmitted(place: () => Promise<CallResult>): Promise<CallResult> {
    const rooms = roomService(stack);
    let roomsSeen = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        roomsSeen = Math.max(roomsSeen, (await rooms.listRooms().catch(() => [])).length);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const jobsBefore = await activeJobs(stack);
    const call = await place().finally(() => (watching = false));
    await watch;
    expect(call.established).toBe(false);
    expect(roomsSeen).toBe(0);
    expect(await activeJobs(stack)).toBe(jobsBefore);
    return call;
  }

  it('refuses a call that offers only plain RTP (RTP/AVP) when SRTP is required', async () => {
    const wav = silenceWav(join(WAV_DIR, 'pilot-plain-rtp.wav'), 8, 16000);
    const call = await expectNoCallAdmitted(() =>
      carrierCall({ playWav: wav, srtp: false, maxSeconds: 12 }),
    );
    expect(sipTranscript(call.sipTrace)[0]!.text).toMatch(/^m=audio \d+ RTP\/AVP /m);
    expect(finalStatus(call)).toBeGreaterThanOrEqual(400);
  });

  it('creates no room and no job for a call from an address outside the trunk allowlist', async () => {
    const wav = silenceWav(join(WAV_DIR, 'pilot-outsider.wav'), 8, 16000);
    const call = await expectNoCallAdmitted(() =>
      carrierCall({ playWav: wav, host: net.outsider, tls: undefined, maxSeconds: 12 }),
    );
    // The INVITE did reach the gateway over TLS from the outsider's own address.
    expect(call.sipTrace).toMatch(/^TLS 10\.77\.1\.2:\d+ -> 10\.77\.0\.1:5061\r?\nINVITE sip:/m);
  });

  it('keeps a call up through a certificate swap; the next call sees the new serial', async () => {
    const wav = silenceWav(join(WAV_DIR, 'pilot-long.wav'), 60, 16000);
    const jobsBefore = await activeJobs(stack);
    const longCall = carrierCall({ playWav: wav, hangupAfterMs: 40_000, maxSeconds: 60 });
    expect(
      await eventually(
        async () => ((await activeJobs(stack)) > jobsBefore ? true : undefined),
        20_000,
      ),
    ).toBe(true);

    // certbot renews: new files replace the live ones.
    const renewed = ca.issue('gateway-2', ['DNS:sip.pilot.test', `IP:${net.gatewayAddress}`]);
    expect(renewed.serial).not.toBe(firstSerial);
    replaceFile(live.key, renewed.keyFile);
    replaceFile(live.cert, renewed.chainFile);
    const swappedAt = Date.now();
    const served = await eventually(
      async () => {
        const now = servedCertificate(net.caller, net.gatewayAddress, ca.caFile);
        return now.serial === renewed.serial && now.verified ? now : undefined;
      },
      60_000,
      1000,
    );
    expect(served, 'new calls see the renewed certificate within a minute').toBeDefined();
    console.log(`[pilot] renewed certificate served ${Date.now() - swappedAt} ms after the swap`);

    // A new call goes to the new generation while the first is still up.
    const spoken = speechWav(join(WAV_DIR, 'pilot-after-swap.wav'), 'hello', {
      padSeconds: 1,
      tailSeconds: 8,
    });
    const next = await carrierCall({ playWav: spoken, maxSeconds: 20 });
    expect(next.established).toBe(true);
    expect(voicedSeconds(next.heard!)).toBeGreaterThan(1);

    const first = await longCall;
    expect(first.established).toBe(true);
    // The caller hung up (its BYE answered 200 by the old generation); the gateway never did.
    const messages = sipTranscript(first.sipTrace);
    const byes = messages.filter((m) => m.startLine.startsWith('BYE '));
    expect(byes).toHaveLength(1);
    expect(first.sipTrace).toMatch(/^TLS 10\.77\.0\.2:\d+ -> 10\.77\.0\.1:5061\r?\nBYE sip:/m);
    expect(messages.some((m) => m.status === 200 && m.cseqMethod === 'BYE')).toBe(true);
    expect(first.timing.ended! - first.timing.answered!).toBeGreaterThanOrEqual(39_000);
    expect(stack.output()).toMatch(/certificate renewed: new calls use it/);
  });

  it('passes doctor --profile pilot against the running gateway', () => {
    const doctor = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin', 'switchboard.js'),
        'doctor',
        '--config',
        PILOT_CONFIG,
        '--profile',
        'pilot',
        '--ca-file',
        ca.caFile,
      ],
      { env: { ...process.env, ...E2E_ENV }, encoding: 'utf8', timeout: 60_000 },
    );
    // Each pilot check ran against the real gateway and passed.
    for (const check of [
      'sip-tls certificate chain',
      'sip-tls certificate name',
      'sip-tls answers on the public address',
      'plain sip off',
      'srtp required on inbound trunks',
    ])
      expect(doctor.stdout, doctor.stdout).toMatch(new RegExp(`^ok\\s+${check}`, 'm'));
    expect(doctor.status, doctor.stdout).toBe(0);
  });

  it('lets no caller number reach the logs of any component', () => {
    const lines = readdirSync(stack.logDir).flatMap((f) =>
      readFileSync(join(stack.logDir, f), 'utf8').split('\n'),
    );
    expect(lines.length).toBeGreaterThan(20);
    expect(
      scanForPhoneNumbers(lines, [CALLER, '025550142'], {
        allow: [CALLED, '+3225550199'],
      }),
    ).toEqual([]);
  });
});
