// tries: grow an array of objects until the heap is exhausted.
// expect: memory|crashed
// limits: {"cpuTimeoutMs": 30000, "wallTimeoutMs": 40000}
exports.default = async function run() {
  const rows = [];
  for (;;) rows.push({ id: rows.length, text: `row ${rows.length}`, tags: ['a', 'b', 'c'] });
};
