export {
  type AutomationSnapshot,
  type AutomationTool,
  createAutomationCatalog,
  MAX_AUTOMATION_TOOLS,
  type ParameterSchemaSource,
} from './automation-catalog.js';
export {
  createWebTasksMcpServer,
  type WebTasksMcpServer,
  type WebTasksMcpServerOptions,
} from './create-webtasks-mcp-server.js';
export { FIXED_TOOLS } from './fixed-tools.js';
export {
  createWebTasksMcpHttpHandler,
  type WebTasksMcpHttpHandler,
  type WebTasksMcpHttpHandlerOptions,
} from './http-handler.js';
export { assignToolNames, FIXED_TOOL_NAMES, toolNameOf } from './tool-names.js';
export { automationOutputSchema, inferParameterSchema } from './tool-schemas.js';
