import {
  MAX_LIST_LIMIT,
  RunRecordSchema,
  TaskListQuerySchema,
  TaskListSchema,
  WebTaskResultSchema,
} from '@webtasks/protocol';
import { commonErrors, errorResponse, toSchema, workspaceParam } from './route-schemas.js';

/** OpenAPI documentation of the run routes (handlers validate with the protocol's zod schemas). */
const taskParams = {
  type: 'object',
  properties: {
    workspaceId: workspaceParam,
    webTaskId: { type: 'string', description: 'The id start returned.' },
  },
  required: ['workspaceId', 'webTaskId'],
};
const notFound = errorResponse('`not-found`: no task with this id in this workspace.');

export const listRouteSchema = {
  operationId: 'listWebTasks',
  summary: 'List web tasks, newest first',
  description: `One page of the workspace's tasks. Follow \`nextCursor\` (pass it as \`cursor\`, with the same filters) until it is absent. At most ${MAX_LIST_LIMIT} per page.`,
  tags: ['runs'],
  security: [{ apiKey: [] }],
  params: { type: 'object', properties: { workspaceId: workspaceParam }, required: ['workspaceId'] },
  querystring: toSchema(TaskListQuerySchema, 'input'),
  response: {
    200: { description: 'One page of tasks.', ...toSchema(TaskListSchema, 'output') },
    400: errorResponse(
      '`invalid-request`: a filter is malformed, or the cursor was changed or belongs to other filters.',
    ),
    ...commonErrors,
  },
};

export const recordRouteSchema = {
  operationId: 'getWebTaskRecord',
  summary: 'Get the run record of a web task',
  description:
    'Phases, attempts with their errors and evidence, logs (bounded), model calls, agent steps, output statistics, webhook deliveries and artifacts (screenshots and HTML at failures, Playwright traces), each artifact with a signed URL valid for an hour.',
  tags: ['runs'],
  security: [{ apiKey: [] }],
  params: taskParams,
  response: {
    200: { description: 'The run record.', ...toSchema(RunRecordSchema, 'output') },
    404: notFound,
    ...commonErrors,
  },
};

export const cancelRouteSchema = {
  operationId: 'cancelWebTask',
  summary: 'Cancel a web task',
  description:
    'A pending task completes at once as failed with error code `canceled`; a started one is aborted within seconds and completes the same way. Nothing is saved.',
  tags: ['runs'],
  security: [{ apiKey: [] }],
  params: taskParams,
  response: {
    200: { description: 'The task, completed as canceled.', ...toSchema(WebTaskResultSchema, 'output') },
    404: notFound,
    409: errorResponse('`conflict`: the task already completed; there is nothing to cancel.'),
    ...commonErrors,
  },
};

export const eventsRouteSchema = {
  operationId: 'streamWebTaskEvents',
  summary: 'Stream the events of a web task (Server-Sent Events)',
  description:
    'A `text/event-stream`: every event of the task from the start (or after `afterSeq` / `Last-Event-ID`), then live ones as they happen, then one `result` event with the result object, and the stream ends. Each event is named by its type (status, phase, attempt, agent-step, run-result, log, cost, model-call, saved); its `id` is the sequence number and its data `{ seq, at, event }`.',
  tags: ['runs'],
  security: [{ apiKey: [] }],
  params: taskParams,
  querystring: {
    type: 'object',
    properties: {
      afterSeq: { type: 'integer', minimum: 0, description: 'Skip events up to this sequence number.' },
    },
  },
  response: {
    200: {
      description: 'The event stream.',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    },
    400: errorResponse('`invalid-request`: afterSeq is not a whole number.'),
    404: notFound,
    406: errorResponse('The Accept header refuses text/event-stream.'),
    ...commonErrors,
  },
};
