#!/usr/bin/env node
// A static file server for the example sites, on 127.0.0.1 only:
//   node examples/serve.mjs examples/company-directory/site [PORT]
// PORT defaults to 8765; 0 picks a free one. Prints "serving DIR at http://127.0.0.1:PORT/"
// once it listens, and serves until stopped (Ctrl-C). Directories serve their index.html.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';

const [dirArgument, portArgument = '8765'] = process.argv.slice(2);
if (!dirArgument) {
  process.stderr.write('usage: node examples/serve.mjs SITE_DIR [PORT]\n');
  process.exit(2);
}
const root = path.resolve(dirArgument);
const port = Number(portArgument);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`serve: the port must be a number from 0 to 65535, not "${portArgument}"\n`);
  process.exit(2);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const server = createServer(async (request, response) => {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  let file = path.normalize(path.join(root, decodeURIComponent(pathname)));
  if (file !== root && !file.startsWith(`${root}${path.sep}`)) {
    response.writeHead(403).end();
    return;
  }
  if (pathname.endsWith('/')) file = path.join(file, 'index.html');
  try {
    const body = await readFile(file);
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    // Files under a downloads/ folder are attachments, as a real site would send them.
    const headers = file.includes(`${path.sep}downloads${path.sep}`)
      ? { 'content-type': type, 'content-disposition': `attachment; filename="${path.basename(file)}"` }
      : { 'content-type': type };
    response.writeHead(200, headers).end(body);
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
});
server.on('error', (error) => {
  const hint = error.code === 'EADDRINUSE' ? ' (pass another PORT, or 0 for a free one)' : '';
  process.stderr.write(`serve: ${error.message}${hint}\n`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  const shown = path.relative(process.cwd(), root) || '.';
  process.stdout.write(`serving ${shown} at http://127.0.0.1:${server.address().port}/\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
