/** Process exit codes of every command; only cli/ decides them. */
export const EXIT = {
  ok: 0,
  /** A bad config or argument, an unreachable service, a failed step. */
  error: 1,
  /** `provision plan`: LiveKit differs from the config. */
  changes: 2,
} as const;
