import { z } from 'zod';
import { REUSE_KEY_PATTERN } from './request.js';
import { CostSchema, TaskErrorSchema, TaskOutcomeSchema, TaskStatusSchema } from './result.js';

/** Most tasks one list page returns. */
export const MAX_LIST_LIMIT = 100;
/** Tasks per page when `limit` is absent. */
export const DEFAULT_LIST_LIMIT = 20;

/**
 * Query of `GET /{ws}/web-tasks`. Values arrive as strings (a query string); `limit` is
 * parsed. `cursor` is the opaque `nextCursor` of the previous page.
 */
export const TaskListQuerySchema = z
  .object({
    status: TaskStatusSchema.optional(),
    reuseKey: z
      .string()
      .regex(REUSE_KEY_PATTERN, 'reuseKey must be 1..128 characters of letters, digits, ".", "_", ":" or "-"')
      .optional(),
    since: z.iso
      .datetime({ offset: true, message: 'since must be an ISO 8601 timestamp such as 2026-01-31T00:00:00Z' })
      .optional(),
    cursor: z
      .string()
      .max(512, 'cursor is too long: pass the nextCursor of the previous page as is')
      .optional(),
    limit: z.coerce
      .number({ error: `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}` })
      .int(`limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`)
      .min(1, `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`)
      .max(MAX_LIST_LIMIT, `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`)
      .optional(),
  })
  .strict();
export type TaskListQuery = z.input<typeof TaskListQuerySchema>;

/** One task in a list: what it was asked, where it stands, what it cost. */
export const TaskSummarySchema = z.object({
  webTaskId: z.string(),
  status: TaskStatusSchema,
  outcome: TaskOutcomeSchema.optional(),
  reuseKey: z.string(),
  /** The task text, cut to 200 characters. */
  task: z.string(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
  bundleVersion: z.number().int().optional(),
  cost: CostSchema.optional(),
  error: TaskErrorSchema.optional(),
});
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

/** One page of tasks, newest first; `nextCursor` is absent on the last page. */
export const TaskListSchema = z.object({
  tasks: z.array(TaskSummarySchema),
  nextCursor: z.string().optional(),
});
export type TaskList = z.infer<typeof TaskListSchema>;
