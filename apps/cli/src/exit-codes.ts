/** Exit codes of `webtasks`, documented in `--help` and the README. */
export const EXIT = {
  /** The command did what was asked (a task completed with `success`). */
  ok: 0,
  /** A task completed with `failed`, or a bundle was refused (does not compile). */
  failed: 1,
  /** Bad flags, arguments, JSON, or missing configuration. */
  usage: 2,
  /** The task, bundle or version does not exist. */
  notFound: 3,
  /** The server could not be reached or answered with an error. */
  network: 4,
  /** Interrupted with Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports in one message and turns into an exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A usage error: the message says what was wrong and how to call the command instead. */
export function usageError(message: string, helpCommand?: string): CliError {
  const hint = helpCommand ? `\nRun \`webtasks ${helpCommand} --help\` for usage.` : '';
  return new CliError(`${message}${hint}`, EXIT.usage);
}
