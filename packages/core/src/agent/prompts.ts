import type { JsonObject, JsonSchema } from '../ports/common.js';
import type { FailureEvidence } from '../reuse/state-machine.js';
import { RUNTIME_DECLARATIONS } from '../runtime/declarations.js';

/**
 * The stable part of the system prompt: rules + the runtime declaration. It never varies
 * between tasks, so providers with prompt caching serve it from cache.
 */
export const AGENT_SYSTEM_PROMPT = `You are the webtasks agent. You turn a plain-language task about a website into a
TypeScript program that does the task reliably, again and again, without you. The program is saved and
re-run later with new parameters and no model in the loop, so it must be robust.

How you work:
1. Explore the site with the tools: navigate, observe (a compact outline of the page with element refs),
   act (click, fill, select, press, scroll on a ref or a CSS selector). Look at the structure of lists,
   pagination, forms and detail pages before writing code.
2. Write the program and test it with try_code: it runs against the page you are on and shows the output or
   the error. Fix and retry until the output is right.
3. Submit it with submit. The engine runs it in a fresh browser and checks the output against the output
   schema; if it fails you get the error and can fix it.

Rules for the program:
- One module: \`import type { TaskContext } from 'webtasks:runtime';\` and
  \`export default async function run(ctx: TaskContext) { ... }\` returning JSON that matches the schema.
- It starts from a fresh browser: begin with \`await ctx.page.goto(url)\`.
- Read every input from \`ctx.params\`; never write a parameter's value into the program (not even in a URL or a
  selector): the engine refuses programs that contain this run's parameter values or long text copied from
  this run's output, and re-runs candidates with the parameters of earlier runs before saving them.
- Describe the parameters with paramsSchema when you submit (an object schema, one property per parameter);
  put defaults there (\`"default": …\`) only if the task implies one, not in the code.
- Use only the API declared below (a subset of Playwright's Page and Locator). No imports other than the type
  import, no fetch, no require, no Node APIs, no timers (use page.waitForTimeout or locator.waitFor).
- Prefer robust selectors: roles and accessible names (getByRole), labels (getByLabel), test ids and stable
  attributes; avoid positional CSS paths and auto-generated class names.
- Bound every loop over pages (e.g. at most 500 pages) and stop when there is no next page.
- Read many values at once with locator.evaluateAll or page.$$eval instead of one call per element when lists
  are long. Functions passed to evaluate run in the page: they cannot use variables from your code, pass them
  as the argument.
- Put files in the output as the FileRef objects ctx.files returns.
- Use ctx.ai.* only for what code cannot do (free-form text understanding); every call costs money on every run.
- Log progress with ctx.log.info sparingly.
- Secrets (passwords, tokens, two-factor seeds) are never shown to you: you see placeholders such as
  \`«secret:password»\`. Use a placeholder as the value of an act fill, and in code read \`ctx.secrets.password\`
  (it holds the same placeholder) and pass it straight to fill/type; the browser gets the real value. Never log,
  return, slice or compare a secret. For a two-factor code use \`await ctx.secrets.totp('name')\`.
- When the task is impossible (login required but no secrets given, the data does not exist, the site
  refuses), call give_up with the reason instead of submitting code that returns made-up data.

The runtime API:
\`\`\`ts
${RUNTIME_DECLARATIONS}
\`\`\`
`;

function block(title: string, body: string): string {
  return `## ${title}\n${body.trim()}\n`;
}

/** The first user message of an exploration. */
export function exploreMessage(options: {
  task: string;
  startUrl?: string;
  parameters: JsonObject;
  outputSchema?: JsonSchema;
  initialSnapshot?: string;
}): string {
  const parts = [block('Task', options.task)];
  parts.push(
    block(
      'Start URL',
      options.startUrl ?? 'None given: choose where to start from the task (navigate to it first).',
    ),
  );
  parts.push(
    block(
      'Parameters (read them from ctx.params)',
      Object.keys(options.parameters).length === 0 ? '(none)' : JSON.stringify(options.parameters, null, 2),
    ),
  );
  parts.push(
    block(
      'Output schema',
      options.outputSchema === undefined
        ? 'None given. Propose a JSON Schema (draft 2020-12) for the result and pass it as outputSchema to submit; it will be enforced on every later run.'
        : JSON.stringify(options.outputSchema, null, 2),
    ),
  );
  if (options.initialSnapshot) parts.push(block('The start page now', options.initialSnapshot));
  return parts.join('\n');
}

/** The secrets a task has, by name only (their values never reach the model). */
export function secretsMessage(names: readonly string[]): string {
  return block(
    'Secrets of this task (placeholders: the browser receives the values)',
    names.map((name) => `- ctx.secrets.${name} = "«secret:${name}»"`).join('\n'),
  );
}

/** Evidence of a failed run, as the model reads it. */
export function evidenceText(evidence: FailureEvidence): string {
  const parts = [`Failure (${evidence.kind}): ${evidence.message}`];
  if (evidence.stack) parts.push(`Stack:\n${evidence.stack.split('\n').slice(0, 8).join('\n')}`);
  if (evidence.logs?.length) parts.push(`Last log lines:\n${evidence.logs.join('\n')}`);
  if (evidence.outputSample !== undefined)
    parts.push(`Output sample:\n${JSON.stringify(evidence.outputSample, null, 2).slice(0, 3000)}`);
  if (evidence.pageUrl) parts.push(`Page at the failure: ${evidence.pageUrl}`);
  if (evidence.pageSnapshot) parts.push(`Snapshot of that page:\n${evidence.pageSnapshot}`);
  return parts.join('\n\n');
}

/** The first user message of a repair: old code + evidence, not a blank slate. */
export function repairMessage(options: {
  task: string;
  startUrl?: string;
  parameters: JsonObject;
  outputSchema: JsonSchema;
  source: string;
  version: number;
  evidence: FailureEvidence;
}): string {
  return [
    block('Task', options.task),
    block('Start URL', options.startUrl ?? '(none)'),
    block('Parameters of this run', JSON.stringify(options.parameters, null, 2)),
    block('Output schema (keep it)', JSON.stringify(options.outputSchema, null, 2)),
    block(
      `The saved program (version ${options.version}) no longer works`,
      `It worked before; the site has probably changed. Find what changed, fix the program, keep what still works, and submit the repaired program.\n\n\`\`\`ts\n${options.source}\n\`\`\``,
    ),
    block('What happened when it ran', evidenceText(options.evidence)),
  ].join('\n');
}

/** Sent after a submitted program failed in the fresh browser. */
export function retryMessage(evidence: FailureEvidence, attempt: number, maxAttempts: number): string {
  return `Your submitted program failed when the engine ran it in a fresh browser (attempt ${attempt - 1} of ${maxAttempts}). Fix it and submit again.\n\n${evidenceText(evidence)}`;
}
