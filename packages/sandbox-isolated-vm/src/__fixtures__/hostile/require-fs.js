// tries: load Node's fs module with require and read /etc/passwd.
// expect: threw
exports.default = async function run() {
  const fs = require('fs');
  return fs.readFileSync('/etc/passwd', 'utf8');
};
