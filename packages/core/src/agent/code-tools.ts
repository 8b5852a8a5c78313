import { checkJsonSchema } from '@webtasks/protocol';
import type { JsonObject, JsonSchema } from '../ports/common.js';
import { checkProposedParamsSchema } from '../promotion/params-check.js';
import { compileSource } from '../run/run-code.js';
import { createRunHost } from '../run/sandbox-host.js';
import { defineTool, truncate } from './agent-tool.js';

// The tools that run and hand in a program, and the way out.

export const tryCodeTool = defineTool<{ source: string; params?: JsonObject }>({
  definition: {
    name: 'try_code',
    description:
      'Run a complete program (the module with the default export) against the page you are on and return its output or error. Use it to test before submitting.',
    inputSchema: {
      type: 'object',
      properties: {
        source: { type: 'string', description: 'TypeScript module source.' },
        params: { type: 'object', description: 'Parameters to run with (defaults to the task parameters).' },
      },
      required: ['source'],
    },
  },
  async handler(input, { options, budget, browser, signal }) {
    const { deps } = options;
    const compiled = await compileSource(deps, input.source, signal);
    if (!compiled.ok) return { text: compiled.message, isError: true };
    const page = await browser(signal);
    const host = createRunHost({
      session: page,
      blobs: deps.blobs,
      workspaceId: options.workspaceId,
      webTaskId: options.webTaskId,
      ids: deps.ids,
      model: options.model,
      modelName: options.modelName,
      validator: deps.validator,
      ...(deps.taskSecrets ? { secrets: deps.taskSecrets } : {}),
    });
    const result = await deps.sandbox.run({
      code: compiled.javascript,
      params: input.params ?? options.task.parameters,
      host,
      ...(deps.sandboxLimits ? { limits: deps.sandboxLimits } : {}),
      ...(signal ? { signal } : {}),
    });
    // A fatal host-call error (credits spent, bad configuration) ends the task: the model
    // cannot fix it, however the code caught it.
    if (host.fatalError) throw host.fatalError;
    const logs = result.logs
      .slice(-20)
      .map((l) => `[${l.level}] ${l.message}`)
      .join('\n');
    if (!result.ok) {
      return {
        text: truncate(
          `Error (${result.error.kind}): ${result.error.message}\n${logs}`,
          budget.maxObservationChars,
        ),
        isError: true,
      };
    }
    const schema = options.task.outputSchema;
    const check = schema === undefined ? undefined : deps.validator.validate(schema, result.output);
    const verdict =
      check === undefined ? '' : check.ok ? 'The output matches the output schema.\n' : `${check.message}\n`;
    return {
      text: truncate(
        `${verdict}Output:\n${JSON.stringify(result.output, null, 2)}\n${logs}`,
        budget.maxObservationChars,
      ),
    };
  },
});

export const submitTool = defineTool<{
  source: string;
  outputSchema?: JsonObject;
  paramsSchema?: JsonObject;
}>({
  definition: {
    name: 'submit',
    description:
      'Submit the final program. The engine runs it in a fresh browser and validates its output. Include outputSchema when the task has none, and paramsSchema describing the parameters the program reads.',
    inputSchema: {
      type: 'object',
      properties: {
        source: { type: 'string', description: 'TypeScript module source.' },
        outputSchema: { type: 'object', description: 'JSON Schema (draft 2020-12) of the output.' },
        paramsSchema: {
          type: 'object',
          description:
            'JSON Schema (draft 2020-12) of ctx.params: an object schema with one property per parameter the program reads, `required` for those it cannot do without, and `default` values for optional ones. Every later run is checked against it before it starts.',
        },
      },
      required: ['source'],
    },
  },
  async handler(input, { options, signal }) {
    let schema = options.task.outputSchema;
    if (schema === undefined) {
      if (input.outputSchema === undefined) {
        return {
          text: 'The task has no output schema: submit again with outputSchema (a JSON Schema for the output).',
          isError: true,
        };
      }
      const check = checkJsonSchema(input.outputSchema);
      if (!check.ok)
        return { text: `outputSchema is not a valid JSON Schema 2020-12: ${check.message}`, isError: true };
      schema = input.outputSchema as JsonSchema;
    }
    let paramsSchema: JsonSchema | undefined;
    if (input.paramsSchema !== undefined) {
      const checked = checkProposedParamsSchema(input.paramsSchema, options.task.parameters);
      if (!checked.ok) return { text: checked.message, isError: true };
      paramsSchema = input.paramsSchema as JsonSchema;
    }
    const compiled = await compileSource(options.deps, input.source, signal);
    if (!compiled.ok) return { text: compiled.message, isError: true };
    return {
      text: '',
      submit: { source: input.source, outputSchema: schema, ...(paramsSchema ? { paramsSchema } : {}) },
    };
  },
});

export const giveUpTool = defineTool<{ reason: string }>({
  definition: {
    name: 'give_up',
    description:
      'Stop because the task cannot be done (login required, data not there, site refuses). Say why.',
    inputSchema: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] },
  },
  handler: async (input) => ({ text: 'ok', giveUp: input.reason }),
});
