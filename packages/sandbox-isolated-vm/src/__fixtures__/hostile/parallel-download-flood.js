// tries: start downloads without awaiting them, as fast as the CPU allows.
// expect: too-many-calls|timeout
exports.default = async function run(ctx) {
  for (let i = 0; ; i++) ctx.files.download(`https://example.test/file-${i}.pdf`).catch(() => {});
};
