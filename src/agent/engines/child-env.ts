/**
 * The environment of an engine's child process (espeak-ng, pocketsphinx): enough to find the
 * binary and its data, nothing else. A job process's own environment must never reach them.
 */
export function engineChildEnv(): NodeJS.ProcessEnv {
  const { PATH, LANG, LC_ALL } = process.env;
  return Object.fromEntries(
    Object.entries({ PATH, LANG, LC_ALL }).filter(([, v]) => v !== undefined),
  );
}
