import { addUsage, type PriceTable, priceOf, roundUsd, ZERO_USAGE } from '../cost.js';
import { WebTasksError } from '../errors.js';
import type { GenerateOptions, GenerateResult, LanguageModel, TokenUsage } from '../ports/language-model.js';

/** Per-workspace AI credit budgets (USD). */
export interface CreditLedger {
  /** USD left for the workspace; `undefined` means unlimited. */
  remaining(options: { workspaceId: string }): Promise<number | undefined>;
  /** Record spending. */
  charge(options: { workspaceId: string; usd: number }): Promise<void>;
}

/** An in-process credit ledger with fixed budgets per workspace (others unlimited). */
export function createInMemoryCreditLedger(budgets: Record<string, number>): CreditLedger & {
  spent(workspaceId: string): number;
} {
  const spent = new Map<string, number>();
  return {
    async remaining({ workspaceId }) {
      const budget = budgets[workspaceId];
      if (budget === undefined) return undefined;
      return budget - (spent.get(workspaceId) ?? 0);
    },
    async charge({ workspaceId, usd }) {
      spent.set(workspaceId, (spent.get(workspaceId) ?? 0) + usd);
    },
    spent: (workspaceId) => spent.get(workspaceId) ?? 0,
  };
}

/** What a run spent on the model. */
export interface ModelSpend {
  calls: number;
  usage: TokenUsage;
  usd: number;
}

/** One priced model call. */
export interface ModelCallInfo {
  modelId: string;
  usage: TokenUsage;
  usd: number;
  durationMs: number;
  stopReason: string;
}

/** A model wrapper that checks credits before each call and bills usage to one run. */
export interface MeteredModel {
  generate(options: GenerateOptions): Promise<GenerateResult>;
  readonly spend: ModelSpend;
}

/** Options of `createMeteredModel`. */
export interface MeteredModelOptions {
  model: LanguageModel | undefined;
  prices: PriceTable;
  workspaceId: string;
  credits?: CreditLedger;
  onUnknownModel?: (modelId: string) => void;
  onCall?: (spend: ModelSpend, call: ModelCallInfo) => void;
  /** How to configure a model where the user is, for the error when there is none. */
  modelSetting?: string;
}

/** Wrap a model for one run. Without a model, any call fails with a configuration error. */
export function createMeteredModel(options: MeteredModelOptions): MeteredModel {
  const spend: ModelSpend = { calls: 0, usage: { ...ZERO_USAGE }, usd: 0 };
  return {
    spend,
    async generate(request) {
      if (!options.model) {
        throw new WebTasksError({
          code: 'model-not-configured',
          message: `This run calls the model (the agent or ctx.ai), and no language model is configured: ${options.modelSetting ?? 'pass `model` to createWebTasks'}.`,
        });
      }
      if (options.credits) {
        const left = await options.credits.remaining({ workspaceId: options.workspaceId });
        if (left !== undefined && left <= 0) {
          throw new WebTasksError({
            code: 'no-ai-credits-left',
            message:
              'The workspace has no AI credits left, and this run needs the model (no saved code, or the saved code must be repaired). Add credits or raise the budget.',
          });
        }
      }
      const began = performance.now();
      const result = await options.model.generate(request);
      const durationMs = Math.round(performance.now() - began);
      const usd = priceOf(result.modelId, result.usage, options.prices, options.onUnknownModel);
      spend.calls += 1;
      spend.usage = addUsage(spend.usage, result.usage);
      spend.usd = roundUsd(spend.usd + usd);
      if (options.credits && usd > 0) await options.credits.charge({ workspaceId: options.workspaceId, usd });
      options.onCall?.(spend, {
        modelId: result.modelId,
        usage: result.usage,
        usd,
        durationMs,
        stopReason: result.stopReason,
      });
      return result;
    },
  };
}
