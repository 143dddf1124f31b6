import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * Ports for one softphone, picked below Linux's ephemeral range (32768-60999) so no outgoing
 * socket of another process can take them between the check and baresip's bind, and away from
 * the stack's own fixed ports (SIP 5060, helpdesk 5099, LiveKit 7880-7881, control plane 8080,
 * livekit-sip RTP 10000-10199, LiveKit RTC 50000+).
 */
const SIP_RANGE = { from: 20_000, to: 24_998 };
const RTP_RANGE = { from: 25_000, to: 31_000 };
/** baresip opens UDP and TCP on its SIP port and TLS (TCP) on the next one. */
const RTP_PORTS = 20;

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

const pick = ({ from, to }: { from: number; to: number }) =>
  from + 2 * Math.floor((Math.random() * (to - from)) / 2);

/** Ports handed out in this process, so two calls at once never get the same ones. */
const inUse = new Set<number>();

export interface SoftphonePorts {
  sip: number;
  rtpFrom: number;
  rtpTo: number;
  release(): void;
}

/** A SIP port free on UDP and TCP (plus TLS on the next port) and a free UDP range for RTP. */
export async function softphonePorts(): Promise<SoftphonePorts> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const sip = pick(SIP_RANGE);
    const rtpFrom = pick(RTP_RANGE);
    const rtp = Array.from({ length: RTP_PORTS + 1 }, (_, i) => rtpFrom + i);
    const claimed = [sip, sip + 1, ...rtp];
    if (claimed.some((p) => inUse.has(p))) continue;
    const free =
      (await udpFree(sip)) &&
      (await tcpFree(sip)) &&
      (await tcpFree(sip + 1)) &&
      (await Promise.all(rtp.map(udpFree))).every(Boolean);
    if (!free) continue;
    for (const p of claimed) inUse.add(p);
    return {
      sip,
      rtpFrom,
      rtpTo: rtpFrom + RTP_PORTS,
      release: () => claimed.forEach((p) => inUse.delete(p)),
    };
  }
  throw new Error('no free SIP and RTP ports for the softphone in 200 tries');
}
