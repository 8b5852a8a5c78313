// tries: download files in an endless loop.
// expect: too-many-calls
exports.default = async function run(ctx) {
  for (let i = 0; ; i++) await ctx.files.download(`https://example.test/file-${i}.pdf`);
};
