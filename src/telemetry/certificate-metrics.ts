import { Counter, Gauge } from 'prom-client';
import type { SwitchboardConfig } from '../config/index.js';
import { readPemCertificates } from '../stack/pilot-checks.js';
import { registry } from './metrics.js';

/**
 * When each TLS certificate Switchboard serves stops being valid, read from its file at every
 * scrape: certbot renews in place and the gateway reloads by itself, so a value cached at start-up
 * would keep an alert firing after a renewal (or hide a failed one). The alert rules in
 * deploy/prometheus/alerts.yml page on it; an unreadable file counts a read error and drops the
 * series rather than logging on every scrape.
 */

/** Series name → certificate file (PEM, leaf first). Replaced by each registerCertificateExpiry. */
const watched = new Map<string, string>();

export const certificateReadErrors = new Counter({
  name: 'switchboard_tls_certificate_read_errors_total',
  help: 'Scrapes that could not read a configured TLS certificate file (missing, unreadable, no PEM certificate)',
  labelNames: ['name'] as const,
  registers: [registry],
});

export const certificateExpiry = new Gauge({
  name: 'switchboard_tls_certificate_expiry_timestamp_seconds',
  help: 'Unix time at which the leaf certificate of each configured TLS certificate file expires (notAfter), read at scrape time',
  labelNames: ['name'] as const,
  registers: [registry],
  collect() {
    // A file that became unreadable must lose its series, not keep the last value.
    this.reset();
    for (const [name, file] of watched) {
      const notAfter = leafNotAfter(file);
      if (notAfter === undefined) certificateReadErrors.inc({ name });
      else this.set({ name }, notAfter);
    }
  },
});

/**
 * Watches the certificates the config serves: `sip` for sip.tls.certFile. Calling it again
 * replaces what is watched (a config without TLS watches nothing), so it is safe to call twice.
 */
export function registerCertificateExpiry(config: Pick<SwitchboardConfig, 'sip'>): void {
  watched.clear();
  certificateReadErrors.reset();
  const tls = config.sip.tls;
  if (!tls) return;
  watched.set('sip', tls.certFile);
  // Present at 0 from the start, so increase() sees the first error.
  certificateReadErrors.inc({ name: 'sip' }, 0);
}

/**
 * The leaf's notAfter in Unix seconds. Only the leaf: a chain may carry an expired cross-signed
 * root that clients skip (Let's Encrypt's DST Root CA X3 did), and certbot renews the leaf.
 */
function leafNotAfter(file: string): number | undefined {
  try {
    const leaf = readPemCertificates(file)[0];
    if (!leaf) return undefined;
    return new Date(leaf.validTo).getTime() / 1000;
  } catch {
    return undefined;
  }
}
