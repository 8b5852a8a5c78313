import { createJsonSchemaValidator, type JsonSchemaValidator } from '@webtasks/protocol';
import type { BrowserSession } from '../ports/browser.js';
import type { JsonObject } from '../ports/common.js';
import type { ToolDefinition } from '../ports/language-model.js';
import type { Candidate } from '../reuse/state-machine.js';
import type { AgentBudget, AgentOptions } from './agent.js';

/** What one tool call produced: text for the model, or the end of the authoring round. */
export interface ToolOutcome {
  /** The tool result the model reads next. */
  text: string;
  /** The call failed; the model is told so and may try again. */
  isError?: boolean;
  /** A program was submitted: the round ends with it as the candidate. */
  submit?: Candidate;
  /** The agent gave up, for this reason: the round ends without a candidate. */
  giveUp?: string;
}

/** What a tool's handler works with: the agent's options and the task's one browser session. */
export interface ToolContext {
  options: AgentOptions;
  budget: AgentBudget;
  /** The task's browser session, opened on first use and kept across attempts. */
  browser(signal?: AbortSignal): Promise<BrowserSession>;
  /** The current page's outline (URL, title, aria snapshot), cut to the observation budget. */
  snapshotText(signal?: AbortSignal): Promise<string>;
  signal?: AbortSignal;
}

/** One tool: what the model is offered, and what a call does with input of that schema. */
export interface AgentTool<Input> {
  definition: ToolDefinition;
  /** Called only with input that matched `definition.inputSchema`. */
  handler(input: Input, context: ToolContext): Promise<ToolOutcome>;
}

/** A tool of the table, its input type erased: `call` checks the input before the handler sees it. */
export interface TableTool {
  definition: ToolDefinition;
  call(input: JsonObject, context: ToolContext): Promise<ToolOutcome>;
}

let ajv: JsonSchemaValidator | undefined;

/** Put a tool in the table: its input schema is compiled once, on the first call. */
export function defineTool<Input>(tool: AgentTool<Input>): TableTool {
  let validate: ReturnType<JsonSchemaValidator['compile']> | undefined;
  return {
    definition: tool.definition,
    async call(input, context) {
      ajv ??= createJsonSchemaValidator();
      validate ??= ajv.compile(tool.definition.inputSchema as object);
      if (!validate(input)) {
        return { text: inputProblems(tool.definition.name, validate.errors ?? []), isError: true };
      }
      return tool.handler(input as Input, context);
    },
  };
}

type SchemaError = NonNullable<ReturnType<JsonSchemaValidator['compile']>['errors']>[number];

/** Why a tool's input was refused, by path, as the model reads it. */
function inputProblems(name: string, errors: SchemaError[]): string {
  const problems = errors.slice(0, 5).map((error) => {
    const allowed = error.params['allowedValues'];
    const listed = Array.isArray(allowed) ? `: ${allowed.map(String).join(', ')}` : '';
    return `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}${listed}`;
  });
  const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
  return `The input of ${name} does not match its schema: ${problems.join('; ')}${more}. Call ${name} again with input that does.`;
}

/** Cut a tool result to `max` characters, saying how much was cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters cut)`;
}
