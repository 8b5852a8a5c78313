// A consumer in its own process: prints `ready`, then `started <webTaskId> <attempt>` for
// each delivery, and never finishes a handler (the test kills it with SIGKILL).
import { createBullMQTaskQueue } from '../bullmq-task-queue.js';

const [url, prefix, queueName, lockDurationMs, stalledIntervalMs] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const queue = createBullMQTaskQueue({
  url,
  prefix,
  queueName,
  lockDurationMs: Number(lockDurationMs),
  stalledIntervalMs: Number(stalledIntervalMs),
});
await queue.consume({
  concurrency: 1,
  handler: async (message, delivery) => {
    process.stdout.write(`started ${message.webTaskId} ${delivery.attempt}\n`);
    await new Promise(() => undefined);
  },
});
process.stdout.write('ready\n');
