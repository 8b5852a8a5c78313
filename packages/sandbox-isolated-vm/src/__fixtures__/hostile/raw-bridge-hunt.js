// tries: find the raw bridge (__wt_call, __wt_log, isolated-vm References) on the global object
// and its prototype chain, and redefine the runner.
// expect: ok
// output: "contained"
'use strict';
exports.default = async function run() {
  const found = [];
  let target = globalThis;
  while (target) {
    for (const name of Reflect.ownKeys(target)) {
      const text = String(name);
      if (/^__wt_(call|log)$|^_?ivm$|^(Reference|Callback|ExternalCopy)$|applySync/.test(text)) found.push(text);
    }
    target = Object.getPrototypeOf(target);
  }
  try {
    globalThis.__wt_run = async () => '"forged output"';
  } catch {}
  return found.length === 0 ? 'contained' : `ESCAPED ${found.join(',')}`;
};
