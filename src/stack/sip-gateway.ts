import { createHash, X509Certificate, createPrivateKey } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { internalPorts, type SwitchboardConfig } from '../config/index.js';
import type { Logger } from '../telemetry/index.js';
import { livekitSipYaml } from './generated-configs.js';
import type { ManagedProcess } from './managed-process.js';
import { startSipEdge } from './sip-edge-watch.js';
import { applyRedirect, removeRedirect } from './sip-redirect.js';
import { sipHealthy, waitFor } from './wait.js';

export interface SipGatewayOptions {
  config: SwitchboardConfig;
  /** Holds each generation's YAML (0600). */
  confDir: string;
  /** Starts a livekit-sip process with the given name, args and environment. */
  spawn: (name: string, args: string[], env: Record<string, string>) => ManagedProcess;
  env: Record<string, string>;
  logger: Logger;
  /** How often the certificate files are compared with the ones in use. */
  certPollMs?: number;
}

export interface SipGateway {
  /** Resolves when the serving livekit-sip exits by itself: the gateway is then broken. */
  crashed: Promise<string>;
  stop(): Promise<void>;
  kill(): void;
}

interface Generation {
  slot: 0 | 1;
  proc: ManagedProcess;
  /** Hash of the certificate and key files it loaded. */
  fingerprint?: string;
  serial?: string;
}

/** livekit-sip's health endpoint(s): one per generation with TLS. It binds every address. */
export function sipHealthUrls(config: SwitchboardConfig): string[] {
  const { sip } = config;
  const ports = sip.tls ? internalPorts(sip.internalPortBase).health : [sip.healthPort];
  return ports.map((port) => `http://127.0.0.1:${port}/`);
}

const healthUrl = (config: SwitchboardConfig, slot: 0 | 1) => {
  const urls = sipHealthUrls(config);
  return urls[slot] ?? urls[0]!;
};

/** The certificate and key as they are on disk now, if they form a usable pair. */
function readCertificate(config: SwitchboardConfig): { fingerprint: string; serial: string } {
  const tls = config.sip.tls!;
  const cert = readFileSync(tls.certFile);
  const key = readFileSync(tls.keyFile);
  const x509 = new X509Certificate(cert);
  if (!x509.checkPrivateKey(createPrivateKey(key)))
    throw new Error(`${tls.keyFile} is not the key of ${tls.certFile}`);
  return {
    fingerprint: createHash('sha256').update(cert).update(key).digest('hex'),
    serial: x509.serialNumber,
  };
}

/**
 * The SIP gateway: livekit-sip, run from our generated config. Without TLS one process listens on
 * the public ports. With TLS, livekit-sip cannot reload its certificate, so it runs in generations
 * behind a kernel redirect (sip-redirect.ts): when the certificate files change (certbot renews
 * every ~60 days), a new generation starts with them on the other internal ports, new connections
 * move to it, and the old one drains: livekit-sip on SIGTERM takes no new call and exits when its
 * last call ends.
 */
export async function startSipGateway(opts: SipGatewayOptions): Promise<SipGateway> {
  const { config, confDir, logger } = opts;
  const log = logger.child({ component: 'sip-gateway' });
  const tls = config.sip.tls;
  const env = { ...opts.env, ...trustedCaEnv(config, confDir) };
  const drainMs =
    Math.max(3600, ...config.provisioning.inboundTrunks.map((t) => t.maxCallDurationSeconds)) *
      1000 +
    60_000;

  let serving: Generation | undefined;
  const draining = new Set<Generation>();
  let stopping = false;
  let reportCrash: (why: string) => void = () => undefined;
  const crashed = new Promise<string>((resolve) => (reportCrash = resolve));

  const launch = async (slot: 0 | 1): Promise<Generation> => {
    const cert = tls ? readCertificate(config) : undefined;
    const file = join(confDir, slot === 0 ? 'livekit-sip.yaml' : 'livekit-sip-1.yaml');
    writeFileSync(file, livekitSipYaml(config, slot), { mode: 0o600 });
    const name = slot === 0 ? 'livekit-sip' : 'livekit-sip-1';
    const proc = opts.spawn(name, ['--config', file], env);
    // Failed digest logins are in its output: the edge counts them per source.
    edge.watch([proc.child.stdout, proc.child.stderr]);
    const generation: Generation = { slot, proc, ...cert };
    try {
      await waitFor(name, () => sipHealthy(healthUrl(config, slot)), 30_000);
    } catch (err) {
      await proc.stop(5000);
      throw err;
    }
    void proc.exited.then((code) => {
      draining.delete(generation);
      if (serving === generation && !stopping) {
        // The supervisor starts a new gateway, which reloads the table with its blocks intact.
        edge.stop({ keepTable: true });
        reportCrash(`${name} exited (${code}); see ${proc.logFile}`);
      }
    });
    return generation;
  };

  // Before livekit-sip listens: no window in which a flood or a guesser meets it unlimited.
  const edge = await startSipEdge({ config, logger });
  try {
    serving = await launch(0);
  } catch (err) {
    edge.stop();
    throw err;
  }
  if (tls) {
    try {
      await applyRedirect(config.deployment, config.sip, 0);
    } catch (err) {
      await serving.proc.stop(5000);
      edge.stop();
      throw err;
    }
    log.info({ serial: serving.serial, port: tls.port }, 'serving SIP over TLS');
  }

  let rotating = false;
  const rotate = async () => {
    if (rotating || stopping || !serving) return;
    let current: { fingerprint: string; serial: string };
    try {
      current = readCertificate(config);
    } catch (err) {
      // certbot may be writing the files right now; the next poll sees them whole.
      log.warn({ err: String(err) }, 'certificate files unreadable; keeping the one in use');
      return;
    }
    if (current.fingerprint === serving.fingerprint) return;
    const slot: 0 | 1 = serving.slot === 0 ? 1 : 0;
    if ([...draining].some((g) => g.slot === slot)) {
      log.warn({ slot }, 'new certificate waits: the previous generation still has calls');
      return;
    }
    rotating = true;
    let next: Generation | undefined;
    try {
      next = await launch(slot);
      await applyRedirect(config.deployment, config.sip, slot);
      const old = serving;
      serving = next;
      draining.add(old);
      log.info(
        { serial: next.serial, previous: old.serial },
        'certificate renewed: new calls use it',
      );
      // SIGTERM: livekit-sip refuses new calls and exits when its last one ends.
      void old.proc.stop(drainMs);
    } catch (err) {
      log.error(
        { err: String(err) },
        'could not start a generation with the new certificate; keeping the old one',
      );
      if (next && next !== serving) await next.proc.stop(5000);
    } finally {
      rotating = false;
    }
  };
  const timer = tls ? setInterval(() => void rotate(), opts.certPollMs ?? 10_000) : undefined;

  return {
    crashed,
    async stop() {
      stopping = true;
      clearInterval(timer);
      if (tls) removeRedirect(config.deployment);
      await Promise.all([serving, ...draining].map((g) => g?.proc.stop(5000)));
      edge.stop();
    },
    kill() {
      stopping = true;
      clearInterval(timer);
      if (tls) removeRedirect(config.deployment);
      for (const g of [serving, ...draining]) g?.proc.kill();
      edge.stop();
    },
  };
}

/**
 * Go reads extra trust anchors from SSL_CERT_DIR. With sip.tls.caFile, livekit-sip trusts that CA
 * besides the system's (Debian's /etc/ssl/certs) when it opens a TLS connection itself.
 */
function trustedCaEnv(config: SwitchboardConfig, confDir: string): Record<string, string> {
  const caFile = config.sip.tls?.caFile;
  if (!caFile) return {};
  const dir = join(confDir, 'trusted-ca');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  copyFileSync(caFile, join(dir, 'ca.pem'));
  return { SSL_CERT_DIR: `${dir}:/etc/ssl/certs` };
}
