// tries: reach a service on the host's loopback interface (127.0.0.1).
// expect: threw
exports.default = async function run(ctx) {
  await ctx.page.goto('http://127.0.0.1:5432/');
  return ctx.page.content();
};
