// The build, with a line per package: turbo plans it (`--dry=json`: the tasks, their
// dependencies and what its cache already holds), then each package is built by turbo on its
// own (`--only`, so the cache is used and filled) as soon as its dependencies are done, a few
// at a time, and a line with the package's elapsed time is printed when it finishes.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { lastLine } from './pnpm.mjs';
import { describeExit, SetupError, stream } from './process.mjs';

const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;
const turbo = (root) => path.join(root, 'node_modules/.bin/turbo');

/** Plan the build of `filter` (turbo's filter syntax): tasks with their dependencies and cache status. */
export async function planBuild({ root, env, filter }) {
  const args = ['run', 'build', '--dry=json', ...(filter ? [`--filter=${filter}`] : [])];
  const result = await stream(turbo(root), args, { cwd: root, env, quiet: true });
  if (result.status !== 0) {
    throw new SetupError(
      `turbo could not plan the build (${describeExit(result)}): ${lastLine(result.output)}`,
    );
  }
  const json = result.output.slice(result.output.indexOf('{'));
  const plan = JSON.parse(json);
  return plan.tasks
    .filter((task) => task.task === 'build' && task.command !== '<NONEXISTENT>')
    .map((task) => ({
      id: task.taskId,
      name: task.package,
      dependencies: task.dependencies.filter((id) => id.endsWith('#build')),
      cached: task.cache?.status === 'HIT',
    }));
}

/** Build `filter`'s packages with a progress line per package. Throws a SetupError on the first failure. */
export async function build({ root, env, filter, say, concurrency }) {
  const started = Date.now();
  const tasks = await planBuild({ root, env, filter });
  const known = new Set(tasks.map((task) => task.id));
  const toBuild = tasks.filter((task) => !task.cached).length;
  say(
    toBuild === 0
      ? `build: ${tasks.length} packages, all in turbo's cache`
      : `build: ${tasks.length} packages, ${toBuild} to compile (TypeScript → dist/ with tsup; a few minutes the first time)`,
  );
  if (toBuild === 0) {
    // One turbo process restores everything at once (a process per package costs ~1 s each).
    const result = await stream(
      turbo(root),
      ['run', 'build', ...(filter ? [`--filter=${filter}`] : []), '--output-logs=errors-only'],
      {
        cwd: root,
        env,
        quiet: true,
      },
    );
    if (result.status === 0) {
      say(`build: ${tasks.length} packages restored from turbo's cache in ${seconds(Date.now() - started)}`);
      return;
    }
    // Something did not restore: build package by package below, which says which one fails.
  }
  const limit = concurrency ?? Math.max(1, Math.min(4, availableParallelism()));
  const done = new Set();
  const running = new Map();
  const width = Math.max(...tasks.map((task) => task.name.length));
  let index = 0;
  let failure;
  const ready = () =>
    tasks.filter(
      (task) =>
        !done.has(task.id) &&
        !running.has(task.id) &&
        task.dependencies.every((id) => done.has(id) || !known.has(id)),
    );
  while (done.size < tasks.length && !failure) {
    for (const task of ready()) {
      if (running.size >= limit) break;
      const taskStarted = Date.now();
      const promise = stream(
        turbo(root),
        ['run', 'build', `--filter=${task.name}`, '--only', '--output-logs=errors-only', '--log-prefix=none'],
        { cwd: root, env, quiet: true },
      ).then((result) => ({ task, result, ms: Date.now() - taskStarted }));
      running.set(task.id, promise);
    }
    if (running.size === 0) throw new SetupError('build: the task graph has a cycle (turbo --dry=json).');
    const { task, result, ms } = await Promise.race(running.values());
    running.delete(task.id);
    index += 1;
    const counter = `[${String(index).padStart(String(tasks.length).length)}/${tasks.length}]`;
    if (result.status === 0) {
      done.add(task.id);
      // turbo's summary says whether it replayed the cache ("Cached:    1 cached, 1 total").
      const how = /Cached:\s+1 cached/.test(result.output) ? 'from cache' : 'built';
      process.stdout.write(`   ${counter} ${task.name.padEnd(width)}  ${how.padEnd(10)} ${seconds(ms)}\n`);
    } else {
      process.stdout.write(`   ${counter} ${task.name.padEnd(width)}  FAILED     ${seconds(ms)}\n`);
      process.stdout.write(result.output.replace(/^/gm, '      '));
      failure = new SetupError(
        `building ${task.name} failed (${describeExit(result)}): see its output above; fix it and run this again.`,
      );
    }
  }
  await Promise.allSettled(running.values());
  if (failure) throw failure;
  say(`build: done in ${seconds(Date.now() - started)}`);
}
