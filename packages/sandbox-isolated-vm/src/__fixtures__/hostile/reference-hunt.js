// tries: crawl every object reachable from globalThis and the context looking for an
// isolated-vm Reference (something with applySync/derefInto) to call the host directly.
// expect: ok
// output: "contained"
'use strict';
exports.default = async function run(ctx) {
  const seen = new Set();
  const queue = [globalThis, ctx];
  let hits = 0;
  while (queue.length > 0 && seen.size < 20000) {
    const value = queue.pop();
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) continue;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) {
      if (key === 'applySync' || key === 'derefInto' || key === 'applySyncPromise' || key === 'copyInto') hits += 1;
      let inner;
      try {
        const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
        inner = descriptor && 'value' in descriptor ? descriptor.value : undefined;
      } catch {}
      queue.push(inner);
    }
    queue.push(Object.getPrototypeOf(value));
  }
  return hits === 0 ? 'contained' : `ESCAPED ${hits}`;
};
