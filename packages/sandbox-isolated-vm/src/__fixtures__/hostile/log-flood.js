// tries: flood the log with large lines; the sandbox must cap what it keeps.
// expect: ok
// output: "flooded"
// limits: {"cpuTimeoutMs": 10000}
exports.default = async function run(ctx) {
  const line = 'y'.repeat(20000);
  for (let i = 0; i < 20000; i++) ctx.log.info(line, i);
  return 'flooded';
};
