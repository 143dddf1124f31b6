import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

export interface PortClaim {
  port: number;
  protocol: 'tcp' | 'udp';
  /** The config field that sets it, for the error message. */
  field: string;
  /** The address it is bound on; default the dev loopback. */
  host?: string;
}

function tcpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/** Returns the claims whose port is already taken on `host`. */
export async function takenPorts(claims: PortClaim[], host = '127.0.0.1'): Promise<PortClaim[]> {
  const taken: PortClaim[] = [];
  for (const claim of claims) {
    const on = claim.host ?? host;
    const free =
      claim.protocol === 'tcp' ? await tcpFree(claim.port, on) : await udpFree(claim.port, on);
    if (!free) taken.push(claim);
  }
  return taken;
}
