// One load-generating process of bench/start-load.mjs: `clients` concurrent loops of
// `POST /{ws}/web-tasks/start` over node:http with keep-alive sockets (undici's fetch cost more
// CPU per request than the server's whole start, so the bench measured its own client).
// Forked by the bench; takes its share over IPC, answers `ready`, starts on `go`, and reports
// every latency in milliseconds. With `rate` (starts per second, this process's share) the load
// is open: start i is due at i / rate seconds and its latency counts from then, waiting for a
// free connection included; without it each client sends its next start when the last answered.

import { randomUUID } from 'node:crypto';
import http from 'node:http';

const { url, workspaceId, apiKey, clients, starts, rate } = JSON.parse(process.argv[2]);
const target = new URL(`${url}/${workspaceId}/web-tasks/start`);
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });

function startOnce() {
  const body = JSON.stringify({
    task: 'Collect the company names',
    reuseKey: `key-${randomUUID().slice(0, 8)}`,
  });
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          'x-api-key': apiKey,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode !== 202) reject(new Error(`start answered ${response.statusCode}`));
          else resolve(performance.now() - began);
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Open load: every start at its due time, on at most `clients` connections. */
async function atRate() {
  const began = performance.now();
  const answers = [];
  for (let i = 0; i < starts; i += 1) {
    const due = began + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    answers.push(startOnce(due));
  }
  return Promise.all(answers);
}

process.on('message', async (message) => {
  if (message !== 'go') return;
  const cpu = process.cpuUsage();
  const report = (latencies) => {
    agent.destroy();
    const used = process.cpuUsage(cpu);
    process.send({ latencies, cpuMs: (used.user + used.system) / 1000 }, () => process.disconnect());
  };
  if (rate) {
    report(await atRate());
    return;
  }
  const latencies = [];
  let issued = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (issued < starts) {
        issued += 1;
        latencies.push(await startOnce());
      }
    }),
  );
  report(latencies);
});
process.send('ready');
