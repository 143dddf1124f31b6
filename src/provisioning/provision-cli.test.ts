import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { provisionApplyCommand, provisionPlanCommand } from '../cli/provision.js';
import { freePort } from '../../test/harness/free-port.js';
import { startTestStack, type TestStack } from '../../test/harness/provisioning-stack.js';

let stack: TestStack;
let dir: string;
beforeAll(async () => {
  stack = await startTestStack();
  dir = mkdtempSync(join(tmpdir(), 'sb-provision-cli-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stack?.stop();
});
afterEach(() => vi.restoreAllMocks());

function writeConfig(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

const livekitSection = (port: number) =>
  `livekit:\n  port: ${port}\n  apiKey: ${stack.livekit.apiKey}\n  apiSecret: ${stack.livekit.apiSecret}\n`;

/** Runs a command function and captures what it printed. */
async function run(command: typeof provisionPlanCommand, args: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const code = await command.run(args);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('switchboard provision plan / apply', () => {
  it('plan exits 2 with changes pending, apply fixes them, then plan exits 0', async () => {
    await stack.wipe();
    const config = writeConfig(
      'ok.yaml',
      `deployment: cli-test\n${livekitSection(stack.livekit.port)}`,
    );

    const pending = await run(provisionPlanCommand, ['--config', config]);
    expect(pending.code).toBe(2);
    expect(pending.stdout).toContain('+ create     dev');
    expect(pending.stdout).not.toContain('switchboard-dev'); // the dev password is never printed

    const json = await run(provisionPlanCommand, ['--config', config, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ hasChanges: true, counts: { create: 2 } });

    const applied = await run(provisionApplyCommand, ['--config', config]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('2 change(s) applied');

    const clean = await run(provisionPlanCommand, ['--config', config]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('No changes');
    expect((await run(provisionApplyCommand, ['--config', config])).stdout).toContain(
      '0 change(s) applied',
    );
  });

  it('plan lists outbound trunks by name and drifted field, never their numbers or password', async () => {
    await stack.wipe();
    const outbound = (address: string) =>
      `provisioning:\n  outboundTrunks:\n    - name: callback\n      address: ${address}\n` +
      `      numbers: ["+3225550177"]\n      auth: { username: helpdesk, password: out-secret-4711 }\n`;
    const config = writeConfig(
      'outbound.yaml',
      `deployment: cli-test\n${livekitSection(stack.livekit.port)}${outbound('sip.carrier.example')}`,
    );
    const pending = await run(provisionPlanCommand, ['--config', config]);
    expect(pending.code).toBe(2);
    expect(pending.stdout).toMatch(/Outbound trunks\n {2}\+ create +callback/);
    expect((await run(provisionApplyCommand, ['--config', config])).code).toBe(0);

    writeConfig(
      'outbound.yaml',
      `deployment: cli-test\n${livekitSection(stack.livekit.port)}${outbound('sip.carrier.example:5080')}`,
    );
    const drift = await run(provisionPlanCommand, ['--config', config]);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(/~ update +callback .*\(changes: address\)/);
    for (const out of [pending.stdout, drift.stdout]) {
      expect(out).not.toContain('3225550177');
      expect(out).not.toContain('out-secret-4711');
    }
  });

  it('plan exits 1 when LiveKit does not answer', async () => {
    const config = writeConfig('down.yaml', livekitSection(await freePort()));
    const down = await run(provisionPlanCommand, ['--config', config]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot read SIP objects from LiveKit');
  });

  it('plan exits 1 on an invalid config, naming the field', async () => {
    const config = writeConfig(
      'bad.yaml',
      `${livekitSection(stack.livekit.port)}provisioning:\n  inboundTrunks:\n    - name: open\n      allowedAddresses: ["0.0.0.0/0"]\n`,
    );
    const bad = await run(provisionPlanCommand, ['--config', config]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('provisioning.inboundTrunks.0.allowedAddresses.0');
  });
});
