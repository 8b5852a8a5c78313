// tries: Error.prepareStackTrace with structured call sites to grab the runtime's functions
// (the raw bridge) from the frames of a failing host call.
// expect: ok
// output: "contained"
'use strict';
exports.default = async function run(ctx) {
  const grabbed = [];
  Error.prepareStackTrace = (_error, frames) => {
    for (const frame of frames) {
      const fn = frame.getFunction();
      const self = frame.getThis();
      if (fn) grabbed.push(fn);
      if (self && self !== globalThis) grabbed.push(self);
    }
    return 'stack';
  };
  try {
    await ctx.page.goto('file:///etc/passwd');
  } catch (error) {
    void error.stack;
  }
  try {
    ctx.page.locator(42);
  } catch (error) {
    void error.stack;
  }
  return grabbed.length === 0 ? 'contained' : `ESCAPED ${grabbed.length}`;
};
