import type { ToolDefinition } from '../ports/language-model.js';

/** The agent's tools, as offered to the model. */
export const AGENT_TOOLS: ToolDefinition[] = [
  {
    name: 'navigate',
    description: 'Open a URL in the browser and return an outline of the page.',
    inputSchema: {
      type: 'object',
      properties: { url: { type: 'string', description: 'Absolute http(s) URL.' } },
      required: ['url'],
    },
  },
  {
    name: 'observe',
    description:
      'Return a compact outline of the current page: roles, names, element refs like [ref=e12], links and form state. Long lists are collapsed.',
    inputSchema: { type: 'object', properties: {} },
  },
  {
    name: 'act',
    description:
      'Act on an element found by ref (from observe) or by CSS selector: click, fill (value), select (value), check, press (value = key), hover, or scroll the page (value = pixels).',
    inputSchema: {
      type: 'object',
      properties: {
        action: { enum: ['click', 'fill', 'select', 'check', 'press', 'hover', 'scroll'] },
        ref: { type: 'string' },
        selector: { type: 'string' },
        value: { type: 'string' },
      },
      required: ['action'],
    },
  },
  {
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
  {
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
  {
    name: 'give_up',
    description:
      'Stop because the task cannot be done (login required, data not there, site refuses). Say why.',
    inputSchema: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] },
  },
];
