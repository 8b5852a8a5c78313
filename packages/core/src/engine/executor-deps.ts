import type { AgentBudget } from '../agent/agent.js';
import type { PriceTable } from '../cost.js';
import type { TaskEvent } from '../engine-api.js';
import type { BundleStore } from '../ports/bundle-store.js';
import type { Clock } from '../ports/clock.js';
import type { LanguageModel } from '../ports/language-model.js';
import type { LockManager } from '../ports/lock-manager.js';
import type { TaskStore } from '../ports/task-store.js';
import type { ReuseBudget } from '../reuse/state-machine.js';
import type { CreditLedger } from '../run/metered-model.js';
import type { CodeRunnerDeps } from '../run/run-code.js';
import type { AuthSessions } from '../secrets/auth-sessions.js';
import type { WorkspaceSecrets } from '../secrets/workspace-secrets.js';
import type { Admission } from './admission.js';
import type { SettingNames } from './setting-names.js';
import type { RequestSecretsVault } from './task-secrets.js';

/** Everything the executor needs, assembled by `createWebTasks`. */
export interface ExecutorDeps extends CodeRunnerDeps {
  bundles: BundleStore;
  tasks: TaskStore;
  locks: LockManager;
  clock: Clock;
  model?: LanguageModel;
  credits?: CreditLedger;
  prices: PriceTable;
  emit: (event: TaskEvent) => void;
  workerId: string;
  /** How settings are spelled where the user is, for error hints. */
  settings: SettingNames;
  /** Proxy passwords of tasks this engine accepted, by task id (never stored). */
  proxyPasswords?: Map<string, string>;
  /** Stored workspace secrets, opened for each task. */
  workspaceSecrets?: WorkspaceSecrets;
  /** Request secrets between accept and run (sealed in the record, or held in memory). */
  requestSecrets?: RequestSecretsVault;
  /** Stored auth sessions, for requests with `auth.session`. */
  authSessions?: AuthSessions;
  /** Fires when the worker stops taking work: deliveries still waiting for their turn give up. */
  draining?: AbortSignal;
  /** Orders the start of deliveries (see `createAdmission`). */
  admit?: Admission;
  limits: {
    maxConcurrentPerWorkspace: number;
    taskTimeoutMs: number;
    inlineResultBytes: number;
    lockTtlMs: number;
    maxDeliveries: number;
    reuse: ReuseBudget;
    agent?: Partial<AgentBudget>;
    /** Earlier parameter sets a candidate is replayed with before it is saved (default 3). */
    replaySamples?: number;
  };
}
