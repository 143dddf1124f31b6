import type { Command } from '../cli/command.js';
import { EXIT } from '../cli/exit-codes.js';
import { hashPassword } from './password-hash.js';

const MIN_LENGTH = 12;

/** Everything piped in, less one trailing newline (`echo pw | …`, `printf pw | …`). */
async function readPiped(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** One line typed at a terminal, without echo. */
function readHidden(stdin: NodeJS.ReadStream, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (fn: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      fn();
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(typed));
        if (ch === '\u0003') return done(() => reject(new Error('cancelled')));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * `switchboard console hash-password`: the password comes from stdin only, never argv or the
 * environment, where other users of the host (ps, /proc) or shell history could read it.
 */
export const consoleHashPasswordCommand: Command = {
  summary: 'read a console password from stdin and print its scrypt hash for console.users',
  async run(args) {
    if (args.length > 0) {
      process.stderr.write(
        'switchboard: console hash-password takes no arguments; type the password, or pipe it on stdin\n',
      );
      return EXIT.error;
    }
    const stdin = process.stdin;
    let password: string;
    if (stdin.isTTY) {
      password = await readHidden(stdin, 'console password: ');
      if ((await readHidden(stdin, 'again: ')) !== password) {
        process.stderr.write('switchboard: the two passwords differ; nothing printed\n');
        return EXIT.error;
      }
    } else {
      password = await readPiped(stdin);
    }
    if (password.length < MIN_LENGTH) {
      process.stderr.write(
        `switchboard: use a password of at least ${MIN_LENGTH} characters (a passphrase is fine)\n`,
      );
      return EXIT.error;
    }
    process.stdout.write(`${await hashPassword(password)}\n`);
    return EXIT.ok;
  },
};
