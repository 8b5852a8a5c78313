// tries: a dynamic import() of node:child_process to spawn a shell.
// expect: threw
exports.default = async function run() {
  const cp = await import('node:child_process');
  return cp.execSync('id').toString();
};
