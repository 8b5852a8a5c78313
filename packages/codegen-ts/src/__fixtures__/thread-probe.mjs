// Drives the built compiler (`dist/`) in a plain Node process, as users run it: under Vitest a
// worker thread would inherit the test runner's `--conditions @webtasks/source` and load the
// workspace's TypeScript sources. Reads `{ sources }` as JSON on stdin, prints one JSON line.
import { createTsMorphCompiler } from '../../dist/index.js';

/** Run `work` while a 10 ms timer measures how late the event loop lets it fire. */
async function loopDelayDuring(work) {
  let worst = 0;
  let expected = performance.now() + 10;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    expected = now + 10;
  }, 10);
  try {
    await work();
    // A turn of the loop blocked until now shows when the timer gets to run.
    await new Promise((resolve) => setTimeout(resolve, 30));
  } finally {
    clearInterval(timer);
  }
  return worst;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { sources } = JSON.parse(input);
const options = { allowedGlobals: ['URL'], maxDiagnostics: 2 };

const threaded = createTsMorphCompiler(options);
const inline = createTsMorphCompiler({ ...options, thread: false });
const onThread = await loopDelayDuring(async () => {
  await threaded.warmUp();
  await threaded.compile({ source: sources[0] });
});
const onCaller = await loopDelayDuring(async () => {
  await inline.warmUp();
  await inline.compile({ source: sources[0] });
});

const same = [];
for (const source of sources) {
  const a = await threaded.compile({ source });
  const b = await inline.compile({ source });
  same.push({
    equal: JSON.stringify(a) === JSON.stringify(b),
    ok: a.ok,
    codes: a.diagnostics.map((d) => d.code),
  });
}

// A compile on the thread (warm, it takes 100 ms or more) when close() is called.
const held = threaded.compile({ source: `${sources[0]}\n// held\n` });
await new Promise((resolve) => setTimeout(resolve, 5));
await threaded.close();
const afterClose = await held;
await threaded.close();
const again = await threaded.compile({ source: sources[1] });

const broken = createTsMorphCompiler({ runtimeDeclarations: 'declare const x: Missing;' });
const brokenWarmUp = await broken.warmUp().then(
  () => 'resolved',
  (error) => error.code,
);
await Promise.all([threaded.close(), broken.close()]);

process.stdout.write(
  `${JSON.stringify({
    onThread,
    onCaller,
    sameVersion: threaded.version === inline.version,
    same,
    afterClose,
    againOk: again.ok,
    brokenWarmUp,
  })}\n`,
);
