// tries: add ever more keys to one object (dictionary mode) — the V8 fatal out-of-memory case
// that aborts the process; only this run may fail.
// expect: memory|crashed
// limits: {"cpuTimeoutMs": 30000, "wallTimeoutMs": 40000}
exports.default = async function run() {
  const bag = {};
  for (let i = 0; ; i++) bag[`k${i}`] = i;
};
