// tries: read cloud credentials from the metadata service at 169.254.169.254.
// expect: threw
exports.default = async function run(ctx) {
  await ctx.page.goto('http://169.254.169.254/latest/meta-data/iam/security-credentials/');
  return ctx.page.content();
};
