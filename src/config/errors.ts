export interface ConfigProblem {
  /** Dotted path into switchboard.yaml, for example `provisioning.inboundTrunks.0.allowedAddresses.1`. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(source: string, problems: ConfigProblem[], options?: { cause?: unknown }) {
    super(
      `invalid configuration in ${source}:\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n'),
      options,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
