// tries: navigate to file:///etc/passwd (the browser's egress policy refuses; the fake host does too).
// expect: threw
exports.default = async function run(ctx) {
  await ctx.page.goto('file:///etc/passwd');
  return ctx.page.content();
};
