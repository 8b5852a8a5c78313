// tries: escape through ctx.params (its prototype, its constructor) and mutate it.
// expect: ok
// output: "contained"
'use strict';
exports.default = async function run(ctx) {
  const proto = Object.getPrototypeOf(ctx.params);
  const viaProto = proto.constructor.constructor('return typeof process')();
  let mutated = false;
  try {
    ctx.params.injected = 1;
    mutated = true;
  } catch {}
  try {
    Object.setPrototypeOf(ctx.params, { evil: true });
    mutated = true;
  } catch {}
  return viaProto === 'undefined' && !mutated ? 'contained' : 'ESCAPED';
};
