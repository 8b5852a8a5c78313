import type { Writer } from './progress.js';

/** What a command runs with: streams, environment and working directory (injectable in tests). */
export interface CliContext {
  stdout: Writer;
  stderr: Writer;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Colour progress (stderr is a TTY and NO_COLOR is unset). */
  color: boolean;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** Print a value as indented JSON (the `--json` output of every command). */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
