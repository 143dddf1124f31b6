import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const openssl = (args: string[], cwd: string) =>
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/** A certificate authority of the test's own, made with openssl, and leaf certificates from it. */
export interface TestCa {
  dir: string;
  caFile: string;
  /** Issues a leaf for the given subjectAltName entries; returns its PEM files and serial. */
  issue(
    name: string,
    altNames: string[],
  ): { certFile: string; keyFile: string; chainFile: string; bundleFile: string; serial: string };
}

export function createTestCa(label = 'Switchboard test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'sb-test-ca-'));
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca-key.pem',
      '-out',
      'ca.pem',
      '-days',
      '30',
      '-subj',
      `/CN=${label}`,
    ],
    dir,
  );
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    issue(name, altNames) {
      openssl(
        [
          'req',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          `${name}-key.pem`,
          '-out',
          `${name}.csr`,
          '-subj',
          `/CN=${name}`,
        ],
        dir,
      );
      writeFileSync(
        join(dir, `${name}.ext`),
        `subjectAltName=${altNames.join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n`,
      );
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca-key.pem',
          '-set_serial',
          `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`,
          '-days',
          '30',
          '-out',
          `${name}.pem`,
          '-extfile',
          `${name}.ext`,
        ],
        dir,
      );
      const cert = readFileSync(join(dir, `${name}.pem`), 'utf8');
      const key = readFileSync(join(dir, `${name}-key.pem`), 'utf8');
      writeFileSync(
        join(dir, `${name}-fullchain.pem`),
        cert + readFileSync(join(dir, 'ca.pem'), 'utf8'),
      );
      writeFileSync(join(dir, `${name}-bundle.pem`), cert + key);
      const serial = openssl(['x509', '-in', `${name}.pem`, '-noout', '-serial'], dir)
        .toString()
        .trim()
        .replace(/^serial=/, '');
      return {
        certFile: join(dir, `${name}.pem`),
        keyFile: join(dir, `${name}-key.pem`),
        chainFile: join(dir, `${name}-fullchain.pem`),
        bundleFile: join(dir, `${name}-bundle.pem`),
        serial,
      };
    },
  };
}

/** Replaces a file the way certbot's renewal looks to a reader: whole, in one rename. */
export function replaceFile(target: string, source: string): void {
  const tmp = `${target}.new`;
  writeFileSync(tmp, readFileSync(source));
  renameSync(tmp, target);
}
