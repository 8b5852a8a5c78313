// tries: grow a Map without bound — in V8 this can end in a fatal out-of-memory that aborts the
// whole process; only this run may fail.
// expect: memory|crashed
// limits: {"cpuTimeoutMs": 30000, "wallTimeoutMs": 40000}
exports.default = async function run() {
  const map = new Map();
  for (let i = 0; ; i++) map.set(`key-${i}`, { i });
};
