import type { Bundle, JsonObject, JsonSchema, WebTasksEngine } from '@webtasks/core';
import { assignToolNames } from './tool-names.js';
import {
  automationOutputSchema,
  inferParameterSchema,
  type ObjectSchema,
  PERMISSIVE_INPUT,
} from './tool-schemas.js';

/** Most saved automations offered as tools (the first ones by reuse key). */
export const MAX_AUTOMATION_TOOLS = 1000;
const MAX_DESCRIPTION = 1024;

/** Where an automation tool's input schema came from. */
export type ParameterSchemaSource = 'bundle' | 'last-run' | 'none';

/** One saved reuse key, as a tool. */
export interface AutomationTool {
  name: string;
  reuseKey: string;
  version: number;
  task: string;
  startUrl?: string;
  /** When the version was saved (ISO). */
  savedAt: string;
  description: string;
  inputSchema: ObjectSchema;
  outputSchema: ObjectSchema;
  parameterSchemaSource: ParameterSchemaSource;
}

/** The automations of a workspace, and a fingerprint that changes when any is added, removed or saved anew. */
export interface AutomationSnapshot {
  tools: AutomationTool[];
  byName: Map<string, AutomationTool>;
  fingerprint: string;
}

type Details = Omit<AutomationTool, 'name'>;

function isObjectSchema(schema: unknown): schema is ObjectSchema {
  return typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'object';
}

function describe(bundle: Bundle): string {
  const where = bundle.startUrl ? ` It starts at ${bundle.startUrl}.` : '';
  const text = `Run the saved webtasks automation "${bundle.reuseKey}" (version ${bundle.version}): saved code, no model call while the site is unchanged, repaired by the agent when it breaks.${where} Task: ${bundle.task}`;
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

/**
 * Reads the saved automations of one workspace as tools. Details of a version (its task's
 * parameters, its schemas) are read once and kept, so listing again costs one bundle listing
 * plus a read per key whose version changed.
 */
export function createAutomationCatalog(options: { engine: WebTasksEngine; workspaceId: string }) {
  const { engine, workspaceId } = options;
  const details = new Map<string, Details>();

  async function detailsOf(
    reuseKey: string,
    version: number,
    signal?: AbortSignal,
  ): Promise<Details | undefined> {
    const cacheKey = `${reuseKey}@${version}`;
    const cached = details.get(cacheKey);
    if (cached) return cached;
    const opts = signal ? { signal } : {};
    const bundle = await engine.bundles.get({ workspaceId, reuseKey, version, ...opts });
    if (!bundle) return undefined;
    // Bundles may carry their own parameter schema; until then the parameters of the run that
    // saved this version say what the code reads.
    const own = (bundle as Bundle & { paramsSchema?: JsonSchema }).paramsSchema;
    let inputSchema: ObjectSchema = PERMISSIVE_INPUT;
    let source: ParameterSchemaSource = 'none';
    let final = true;
    if (isObjectSchema(own)) {
      inputSchema = own;
      source = 'bundle';
    } else if (bundle.webTaskId) {
      const task = await engine
        .getTask({ workspaceId, webTaskId: bundle.webTaskId, ...opts })
        .catch(() => undefined);
      if (task?.outcome === 'success') {
        inputSchema = inferParameterSchema(task.request.parameters as JsonObject);
        source = 'last-run';
      }
      // The saving task has not completed yet: read it again next time.
      if (task && task.status !== 'completed') final = false;
    }
    const entry: Details = {
      reuseKey,
      version,
      task: bundle.task,
      ...(bundle.startUrl ? { startUrl: bundle.startUrl } : {}),
      savedAt: bundle.createdAt,
      description: describe(bundle),
      inputSchema,
      outputSchema: automationOutputSchema(bundle.outputSchema),
      parameterSchemaSource: source,
    };
    if (final) details.set(cacheKey, entry);
    return entry;
  }

  return {
    /**
     * One automation by the tool name a client was given and its reuse key, reading only that
     * key: undefined when the key has no saved version any more.
     */
    async tool(name: string, reuseKey: string, signal?: AbortSignal): Promise<AutomationTool | undefined> {
      const opts = signal ? { signal } : {};
      const latest = await engine.bundles.get({ workspaceId, reuseKey, ...opts });
      if (!latest) return undefined;
      const entry = await detailsOf(reuseKey, latest.version, signal);
      return entry ? { name, ...entry } : undefined;
    },
    /** The current automations. */
    async load(signal?: AbortSignal): Promise<AutomationSnapshot> {
      const summaries = await engine.bundles.list({
        workspaceId,
        limit: MAX_AUTOMATION_TOOLS,
        ...(signal ? { signal } : {}),
      });
      const names = assignToolNames(summaries.map((s) => s.reuseKey));
      const found = await Promise.all(summaries.map((s) => detailsOf(s.reuseKey, s.version, signal)));
      const tools: AutomationTool[] = [];
      for (const entry of found) {
        if (entry) tools.push({ name: names.get(entry.reuseKey) ?? entry.reuseKey, ...entry });
      }
      // Forget versions that are no longer the latest.
      const live = new Set(tools.map((t) => `${t.reuseKey}@${t.version}`));
      for (const key of details.keys()) if (!live.has(key)) details.delete(key);
      return {
        tools,
        byName: new Map(tools.map((tool) => [tool.name, tool])),
        fingerprint: tools.map((t) => `${t.reuseKey}@${t.version}`).join('\n'),
      };
    },
  };
}

export type AutomationCatalog = ReturnType<typeof createAutomationCatalog>;
