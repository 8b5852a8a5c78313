// tries: push a 20 MB string through the bridge in one host call.
// expect: ok
// output: "rejected"
// limits: {"memoryMb": 256, "cpuTimeoutMs": 10000}
exports.default = async function run(ctx) {
  try {
    await ctx.page.locator('textarea').fill('x'.repeat(20 * 1024 * 1024));
    return 'accepted';
  } catch (error) {
    return /larger than/.test(error.message) ? 'rejected' : error.message;
  }
};
