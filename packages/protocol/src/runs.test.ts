import { describe, expect, it } from 'vitest';
import { StartRequestSchema } from './request.js';
import { TaskListQuerySchema } from './task-list.js';

describe('debug request field', () => {
  it('accepts { trace: boolean } and refuses anything else with a message naming the field', () => {
    expect(StartRequestSchema.safeParse({ task: 'x', debug: { trace: true } }).success).toBe(true);
    expect(StartRequestSchema.safeParse({ task: 'x', debug: {} }).success).toBe(true);
    const wrongType = StartRequestSchema.safeParse({ task: 'x', debug: { trace: 'yes' } });
    expect(wrongType.error?.issues[0]?.message).toBe('debug.trace must be true or false');
    expect(StartRequestSchema.safeParse({ task: 'x', debug: { trace: true, video: true } }).success).toBe(
      false,
    );
    expect(StartRequestSchema.safeParse({ task: 'x', debug: true }).error?.issues[0]?.message).toContain(
      'debug must be an object',
    );
  });
});

describe('list query', () => {
  it('parses query-string values and refuses bad filters with messages that say what to send', () => {
    expect(TaskListQuerySchema.parse({ limit: '25', status: 'completed' })).toEqual({
      limit: 25,
      status: 'completed',
    });
    const issue = (query: Record<string, string>) =>
      TaskListQuerySchema.safeParse(query).error?.issues[0]?.message;
    expect(issue({ limit: '0' })).toBe('limit must be a whole number from 1 to 100');
    expect(issue({ limit: '1.5' })).toBe('limit must be a whole number from 1 to 100');
    expect(issue({ since: 'yesterday' })).toContain('since must be an ISO 8601 timestamp');
    expect(issue({ reuseKey: 'a b' })).toContain('reuseKey must be 1..128 characters');
    expect(TaskListQuerySchema.safeParse({ colour: 'red' }).success).toBe(false);
    expect(TaskListQuerySchema.safeParse({ since: '2026-01-31T00:00:00Z' }).success).toBe(true);
  });
});
