// tries: burn CPU only after awaiting the host, when isolated-vm's own timeout no longer applies.
// expect: timeout
exports.default = async function run(ctx) {
  await ctx.page.title();
  let n = 0;
  for (;;) n = (n + 1) % 1000;
};
