import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** `switchboard <argv> --config <configPath>` run in-process, with what it printed. */
export async function runCli(
  argv: string[],
  configPath: string,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await main([...argv, '--config', configPath]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
