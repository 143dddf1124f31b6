import { z } from 'zod';
import { passwordHashProblem } from './password-hash.js';

/**
 * The hash of `dev-console-password`, shipped in examples/config/dev.yaml and the e2e config so a
 * dev stack has a console login. Refused under profile pilot.
 */
export const DEV_CONSOLE_PASSWORD_HASH =
  'scrypt$32768$8$1$6ovv9YYZVBb4Ao7C8rP0Vg==$d2tFuR4ktx0RnmHZwWSyyifBkbbq9/3+dT8RDlrL8Gs=';

const HASH_HINT =
  'create one with `switchboard console hash-password` (reads the password from stdin)';

const bounded = (min: number, max: number, unit: string) =>
  z
    .number()
    .int(`use a whole number of ${unit}`)
    .min(min, `use between ${min} and ${max} ${unit}`)
    .max(max, `use between ${min} and ${max} ${unit}`);

const userSchema = z
  .object({
    /** Shown in the audit log; a staff login name, not an e-mail address. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'use 1 to 64 letters, digits, ".", "_" or "-"'),
    passwordHash: z.string().superRefine((hash, ctx) => {
      const problem = passwordHashProblem(hash);
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; ${HASH_HINT}` });
    }),
  })
  .strict();

export const consoleConfigSchema = z
  .object({
    /** Who may log in. Without users the console stays closed (503), never open. */
    users: z
      .array(userSchema)
      .default([])
      .superRefine((users, ctx) => {
        const seen = new Set<string>();
        users.forEach((user, i) => {
          if (seen.has(user.name))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: `user "${user.name}" is listed twice; give each operator one entry`,
            });
          seen.add(user.name);
        });
      }),
    /** A login lasts this long, then the operator logs in again (a shift: 8 h). */
    sessionMinutes: bounded(5, 1440, 'minutes').default(480),
    /** Failed logins from one address before it has to wait. */
    maxLoginFailures: bounded(1, 100, 'attempts').default(5),
    /** How long an address waits after maxLoginFailures. */
    loginLockSeconds: bounded(1, 86_400, 'seconds').default(300),
  })
  .strict();

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;

/** Cross-field check for the root schema: the shipped dev password never guards a pilot. */
export function checkConsole(
  config: { profile: 'dev' | 'pilot'; console: ConsoleConfig },
  ctx: z.RefinementCtx,
): void {
  if (config.profile !== 'pilot') return;
  config.console.users.forEach((user, i) => {
    if (user.passwordHash === DEV_CONSOLE_PASSWORD_HASH)
      ctx.addIssue({
        code: 'custom',
        path: ['console', 'users', i, 'passwordHash'],
        message: `the dev console password is refused under profile pilot; ${HASH_HINT}`,
      });
  });
}
