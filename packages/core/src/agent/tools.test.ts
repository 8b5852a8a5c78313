import { describe, expect, it } from 'vitest';
import type { BrowserSession, PageCommand } from '../ports/browser.js';
import type { JsonObject } from '../ports/common.js';
import { DEFAULT_AGENT_BUDGET } from './agent.js';
import type { ToolContext } from './agent-tool.js';
import { AGENT_TOOLS, runAgentTool } from './tools.js';

/**
 * A context whose browser records the commands it is given. The compiler, sandbox and model
 * are not reached by these calls: they would throw.
 */
function contextRecording() {
  const commands: PageCommand[] = [];
  const session = {
    id: 'session-1',
    execute: async ({ command }: { command: PageCommand }) => {
      commands.push(command);
      return null;
    },
    observe: async () => ({ url: 'https://site.test/', title: 'Site', text: '- heading "Site"' }),
  } as unknown as BrowserSession;
  const context: ToolContext = {
    options: {} as ToolContext['options'],
    budget: DEFAULT_AGENT_BUDGET,
    browser: async () => session,
    snapshotText: async () => 'URL: https://site.test/',
  };
  return { context, commands };
}

const call = (name: string, input: JsonObject) => ({ type: 'tool-call' as const, id: 'call-1', name, input });

describe('the agent tool table', () => {
  it('offers the tools in the order of the table', () => {
    expect(AGENT_TOOLS.map((tool) => tool.name)).toEqual([
      'navigate',
      'observe',
      'act',
      'try_code',
      'submit',
      'give_up',
    ]);
  });

  it('refuses input that breaks the schema with the path, before the handler runs', async () => {
    const { context, commands } = contextRecording();
    const wrongType = await runAgentTool(call('navigate', { url: 42 }), context);
    expect(wrongType).toEqual({
      text: 'The input of navigate does not match its schema: /url must be string. Call navigate again with input that does.',
      isError: true,
    });
    const missing = await runAgentTool(call('give_up', {}), context);
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain("(root) must have required property 'reason'");
    expect(missing.giveUp).toBeUndefined();
    const badAction = await runAgentTool(call('act', { action: 'jump', ref: 'e1' }), context);
    expect(badAction.text).toContain(
      '/action must be equal to one of the allowed values: click, fill, select, check, press, hover, scroll',
    );
    // Neither a compile nor a sandbox run is attempted for a source that is not a string.
    const badSource = await runAgentTool(call('try_code', { source: ['x'] }), context);
    expect(badSource.text).toContain('/source must be string');
    expect(commands).toEqual([]);
  });

  it('dispatches valid input to the tool, typed', async () => {
    const { context, commands } = contextRecording();
    expect(await runAgentTool(call('navigate', { url: 'https://site.test/a' }), context)).toEqual({
      text: 'URL: https://site.test/',
    });
    await runAgentTool(call('act', { action: 'fill', selector: '#q', value: 'term' }), context);
    await runAgentTool(call('act', { action: 'scroll' }), context);
    expect(commands).toEqual([
      { target: 'page', op: 'goto', args: ['https://site.test/a'] },
      {
        target: 'locator',
        op: 'fill',
        locator: [{ kind: 'locator', selector: '#q' }, { kind: 'first' }],
        args: ['term'],
      },
      { target: 'page', op: 'mouse.wheel', args: [0, 800] },
    ]);
    expect(await runAgentTool(call('give_up', { reason: 'login required' }), context)).toEqual({
      text: 'ok',
      giveUp: 'login required',
    });
  });

  it('answers an act with neither ref nor selector, and an unknown tool, as tool errors', async () => {
    const { context, commands } = contextRecording();
    expect(await runAgentTool(call('act', { action: 'click' }), context)).toEqual({
      text: 'act needs a ref or a selector',
      isError: true,
    });
    expect(await runAgentTool(call('teleport', {}), context)).toEqual({
      text: 'Unknown tool teleport. Use one of: navigate, observe, act, try_code, submit, give_up.',
      isError: true,
    });
    expect(commands).toEqual([]);
  });
});
