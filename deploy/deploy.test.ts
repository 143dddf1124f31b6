/**
 * Static checks of the container deployment: both compose files against the official compose-spec
 * schema, image pins against versions.env, roles against the CLI's, and no secret in the tree.
 * No Docker is needed; `docker compose config` on a machine with Docker checks the same files.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The roles of `switchboard run <role>`. */
const ROLES = ['agent', 'control-plane', 'livekit-server', 'sip', 'config', 'log-sink'];

/** versions.env, the single place versions are pinned. */
const pins = Object.fromEntries(
  read('versions.env')
    .split('\n')
    .map((line) => /^([A-Z_]+)=(?:"([^"]*)"|(.*))$/.exec(line.trim()))
    .filter((m) => m !== null)
    .map((m) => [m[1], m[2] ?? m[3]]),
) as Record<string, string>;

/**
 * compose-spec's schema (schema/compose-spec.json of the compose-spec project), as the dclint
 * package ships it and keeps it current. A newer dclint brings a newer schema.
 */
const schemaPath = join(
  dirname(createRequire(import.meta.url).resolve('dclint/package.json')),
  'schemas',
  'compose.schema.json',
);
const { $schema: draft, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as {
  $schema: string;
};
// Ajv's default draft, under the https spelling that Ajv does not resolve by name.
if (!/draft-07/.test(draft)) throw new Error(`compose schema is ${draft}, not draft-07`);
const validate = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false }).compile(
  schema,
);

interface Service {
  image?: string;
  build?: { target?: string; args?: Record<string, string> };
  command?: string[];
  env_file?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  cap_add?: string[];
  network_mode?: string;
  stop_grace_period?: string;
  depends_on?: Record<string, { condition: string }>;
  logging?: { driver: string; options?: Record<string, string> };
}
interface ComposeFile {
  services: Record<string, Service>;
}

/** As compose reads it: YAML merge keys (`<<: *switchboard`) resolved. */
const load = (text: string) => parse(text, { merge: true }) as unknown;
const files = ['deploy/compose/dev.yaml', 'deploy/compose/pilot.yaml'];
const compose = Object.fromEntries(files.map((f) => [f, load(read(f)) as ComposeFile]));
const dockerfile = read('Dockerfile');

const schemaErrors = (doc: unknown) =>
  validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

const seconds = (duration: string) => {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : NaN;
};

describe.each(files)('%s', (file) => {
  const { services } = compose[file]!;
  const ours = Object.entries(services).filter(([, s]) => s.build !== undefined);

  it('is valid compose-spec', () => {
    expect(schemaErrors(compose[file])).toEqual([]);
  });

  it('runs the pinned official images, each with an explicit tag that is not latest', () => {
    expect(services['livekit-server']?.image).toBe(
      `livekit/livekit-server:${pins.LIVEKIT_SERVER_VERSION}`,
    );
    expect(services.sip?.build).toMatchObject({
      target: 'switchboard-sip',
      args: { LIVEKIT_SIP_VERSION: pins.LIVEKIT_SIP_VERSION },
    });
    for (const { image } of Object.values(services)) {
      if (image === undefined) continue;
      expect(image).toMatch(/^[a-z0-9./-]+:[\w.-]+$/);
      expect(image).not.toMatch(/:latest$/);
    }
  });

  it('runs only roles that `switchboard run` has, from our own images', () => {
    expect(ours.length).toBeGreaterThan(0);
    for (const [, service] of ours) {
      const [verb, role] = service.command ?? [];
      expect(verb).toBe('run');
      expect(ROLES).toContain(role);
    }
    const roles = ours.map(([, s]) => s.command?.[1]).sort();
    expect(roles).toEqual(['agent', 'config', 'control-plane', 'log-sink', 'sip']);
  });

  it("sends livekit-server's output to the log sink, never to Docker's files", () => {
    const livekit = services['livekit-server']!;
    expect(livekit.logging).toEqual({
      driver: 'syslog',
      options: expect.objectContaining({
        'syslog-address': 'tcp://127.0.0.1:5514',
        'syslog-format': 'rfc5424',
        tag: 'livekit-server',
      }),
    });
    expect(livekit.depends_on?.['log-sink']).toEqual({ condition: 'service_healthy' });
    expect(services['log-sink']?.command).toEqual(['run', 'log-sink']);
  });

  it('hands secrets to our processes only, and holds none itself', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build === undefined) expect(service.env_file, name).toBeUndefined();
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        expect(`${key}=${value}`, name).not.toMatch(/secret|password|token|api_?key|auth/i);
      }
    }
    expect(read(file)).not.toMatch(secretShaped);
  });

  it('starts each part after what it needs, with healthchecks to wait on', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = services[dependency];
        expect(target, `${name} → ${dependency}`).toBeDefined();
        if (condition === 'service_healthy') expect(target).toHaveProperty('healthcheck');
      }
    }
    expect(services.agent?.depends_on).toHaveProperty('livekit-server');
    expect(services['livekit-server']?.depends_on).toMatchObject({
      config: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
  });
});

/** Long runs of mixed letters and digits, or known key prefixes: what a pasted secret looks like. */
const secretShaped =
  /(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{24,}|sk-[A-Za-z0-9]{8,}|AC[0-9a-f]{32}/;

describe('pilot', () => {
  const { services } = compose['deploy/compose/pilot.yaml']!;
  const pilotConfigs = ['examples/config/twilio-pilot.yaml', 'examples/config/cloudonix.yaml'];
  const longestCall = Math.max(
    ...pilotConfigs.flatMap((f) =>
      [...read(f).matchAll(/maxCallDurationSeconds: (\d+)/g)].map((m) => Number(m[1])),
    ),
  );

  it('serves SIP over TLS from the host network, with the certificate read-only', () => {
    const sip = services.sip!;
    expect(sip.network_mode).toBe('host');
    expect(sip.cap_add).toEqual(['NET_ADMIN']);
    expect(sip.volumes).toContain('/etc/letsencrypt:/etc/letsencrypt:ro');
  });

  it('lets the gateway and the agent drain the longest call on stop', () => {
    expect(longestCall).toBeGreaterThan(0);
    for (const name of ['sip', 'agent']) {
      expect(seconds(services[name]!.stop_grace_period ?? '')).toBeGreaterThan(longestCall);
    }
  });

  it('reads its secrets from outside the repository', () => {
    for (const service of Object.values(services)) {
      for (const path of service.env_file ?? []) expect(path).toBe('/etc/switchboard/secrets.env');
    }
  });
});

describe('dev.env and secrets.env.example', () => {
  it('set no value that could be a secret', () => {
    const assignments = (text: string) =>
      text
        .split('\n')
        .filter((line) => /^\s*[A-Z_]+=/.test(line))
        .map((line) => line.split('=').slice(1).join('='));
    expect(assignments(read('deploy/compose/dev.env'))).toEqual([]);
    const example = assignments(read('deploy/secrets.env.example'));
    expect(example.length).toBeGreaterThan(0);
    expect(new Set(example)).toEqual(new Set(['REPLACE_ME']));
  });

  it('secrets.env.example names every secret the example configs reference', () => {
    const referenced = new Set(
      ['twilio-pilot.yaml', 'cloudonix.yaml', 'dev.yaml'].flatMap((f) =>
        [...read(`examples/config/${f}`).matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]),
      ),
    );
    const named = new Set(
      [...read('deploy/secrets.env.example').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]),
    );
    expect(named).toEqual(referenced);
  });
});

describe('Dockerfile', () => {
  const from = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({
    image: m[1]!,
    stage: m[2],
  }));
  const arg = (name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(dockerfile)?.[1];

  it('builds the gateway from the pinned official livekit/sip image', () => {
    expect(arg('LIVEKIT_SIP_VERSION')).toBe(pins.LIVEKIT_SIP_VERSION);
    expect(from).toContainEqual({
      image: 'livekit/sip:${LIVEKIT_SIP_VERSION}',
      stage: 'switchboard-sip',
    });
  });

  it('has the targets compose builds, on tagged base images', () => {
    const stages = from.map((f) => f.stage);
    expect(stages).toEqual(expect.arrayContaining(['build', 'switchboard', 'switchboard-sip']));
    const nodeImage = arg('NODE_IMAGE');
    expect(nodeImage).toMatch(/^node:20-bookworm-slim$/);
    for (const { image } of from) {
      const resolved = image
        .replace('${NODE_IMAGE}', nodeImage ?? '')
        .replace('${LIVEKIT_SIP_VERSION}', pins.LIVEKIT_SIP_VERSION ?? '');
      if (resolved === 'scratch') continue;
      expect(resolved).toMatch(/^[a-z0-9./-]+:[\w.-]+$/);
      expect(resolved).not.toMatch(/:latest$/);
    }
  });

  it('runs switchboard as a non-root user', () => {
    const stages = dockerfile.split(/^(?=FROM )/m);
    const stage = stages.find((s) => /^FROM \S+ AS switchboard\n/.test(s)) ?? '';
    expect(stage).toMatch(/^USER switchboard$/m);
    expect(stage).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/switchboard.js"\]$/m);
  });
});

describe('the schema check itself', () => {
  it('refuses what compose refuses', () => {
    const bad = load(`
services:
  agent:
    image: switchboard:0.1.0
    restart_policy: always
    healthcheck:
      test:
        - CMD
        - node
        - -e
        - fetch('http://127.0.0.1:8082/').then((r) => process.exit(r.ok ? 0 : 1))
    depends_on:
      redis: { condition: service_ready }
`);
    const errors = schemaErrors(bad);
    // An unknown key, a JS line that YAML read as a mapping (`? 0 : 1`), an unknown condition.
    expect(errors.join('\n')).toMatch(/additional properties/);
    expect(errors.join('\n')).toMatch(/healthcheck\/test\/3 must be string/);
    expect(errors.join('\n')).toMatch(/depends_on\/redis\/condition must be equal to one of/);
  });
});
