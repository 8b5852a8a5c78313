import type { LocatorStep } from '../ports/browser.js';
import type { JsonObject, JsonValue } from '../ports/common.js';
import { defineTool } from './agent-tool.js';

// The tools that look at and act on the page, with the task's one browser session.

export const navigateTool = defineTool<{ url: string }>({
  definition: {
    name: 'navigate',
    description: 'Open a URL in the browser and return an outline of the page.',
    inputSchema: {
      type: 'object',
      properties: { url: { type: 'string', description: 'Absolute http(s) URL.' } },
      required: ['url'],
    },
  },
  async handler(input, { browser, snapshotText, signal }) {
    const page = await browser(signal);
    await page.execute({
      command: { target: 'page', op: 'goto', args: [input.url] },
      ...(signal ? { signal } : {}),
    });
    return { text: await snapshotText(signal) };
  },
});

export const observeTool = defineTool<JsonObject>({
  definition: {
    name: 'observe',
    description:
      'Return a compact outline of the current page: roles, names, element refs like [ref=e12], links and form state. Long lists are collapsed.',
    inputSchema: { type: 'object', properties: {} },
  },
  handler: async (_input, { snapshotText, signal }) => ({ text: await snapshotText(signal) }),
});

type ActInput = {
  action: 'click' | 'fill' | 'select' | 'check' | 'press' | 'hover' | 'scroll';
  ref?: string;
  selector?: string;
  value?: string;
};

/** The locator operation of each `act` action but scroll, with its arguments. */
function locatorOp(
  action: Exclude<ActInput['action'], 'scroll'>,
  value: string,
): { op: 'click' | 'fill' | 'selectOption' | 'check' | 'press' | 'hover'; args: JsonValue[] } {
  switch (action) {
    case 'click':
      return { op: 'click', args: [] };
    case 'fill':
      return { op: 'fill', args: [value] };
    case 'select':
      return { op: 'selectOption', args: [value] };
    case 'check':
      return { op: 'check', args: [] };
    case 'press':
      return { op: 'press', args: [value] };
    case 'hover':
      return { op: 'hover', args: [] };
  }
}

export const actTool = defineTool<ActInput>({
  definition: {
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
  async handler(input, { browser, snapshotText, signal }) {
    const opts = signal ? { signal } : {};
    const page = await browser(signal);
    if (input.action === 'scroll') {
      await page.execute({
        command: { target: 'page', op: 'mouse.wheel', args: [0, Number(input.value ?? 800)] },
        ...opts,
      });
      return { text: await snapshotText(signal) };
    }
    // Either one names the element: the schema offered to the model leaves both optional.
    const locator: LocatorStep[] | undefined =
      input.ref !== undefined
        ? [{ kind: 'ref', ref: input.ref }]
        : input.selector !== undefined
          ? [{ kind: 'locator', selector: input.selector }, { kind: 'first' }]
          : undefined;
    if (!locator) return { text: 'act needs a ref or a selector', isError: true };
    const op = locatorOp(input.action, input.value ?? '');
    await page.execute({ command: { target: 'locator', op: op.op, locator, args: op.args }, ...opts });
    return { text: await snapshotText(signal) };
  },
});
