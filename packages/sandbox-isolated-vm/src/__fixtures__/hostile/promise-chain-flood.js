// tries: a self-feeding microtask flood (each promise schedules the next) plus an ever longer
// then-chain, to starve the event loop.
// expect: timeout|memory|crashed
exports.default = async function run() {
  const spin = () => Promise.resolve().then(spin);
  spin();
  let chain = Promise.resolve();
  for (let i = 0; i < 1e9; i++) chain = chain.then(() => i);
  await chain;
};
