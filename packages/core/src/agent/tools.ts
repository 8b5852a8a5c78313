import type { ToolCallPart, ToolDefinition } from '../ports/language-model.js';
import type { TableTool, ToolContext, ToolOutcome } from './agent-tool.js';
import { actTool, navigateTool, observeTool } from './browser-tools.js';
import { giveUpTool, submitTool, tryCodeTool } from './code-tools.js';

/** The agent's tool table, in the order the model is offered the tools. */
const TOOL_TABLE: readonly TableTool[] = [
  navigateTool,
  observeTool,
  actTool,
  tryCodeTool,
  submitTool,
  giveUpTool,
];

const TOOLS_BY_NAME = new Map(TOOL_TABLE.map((tool) => [tool.definition.name, tool]));

/** The agent's tools, as offered to the model. */
export const AGENT_TOOLS: ToolDefinition[] = TOOL_TABLE.map((tool) => tool.definition);

/**
 * Run one tool call: an unknown tool or input that does not match the tool's schema goes
 * back to the model as a tool error; errors the handler throws are the caller's.
 */
export function runAgentTool(call: ToolCallPart, context: ToolContext): Promise<ToolOutcome> {
  const tool = TOOLS_BY_NAME.get(call.name);
  if (!tool) {
    return Promise.resolve({
      text: `Unknown tool ${call.name}. Use one of: ${AGENT_TOOLS.map((t) => t.name).join(', ')}.`,
      isError: true,
    });
  }
  return tool.call(call.input, context);
}
