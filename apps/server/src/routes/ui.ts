import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface UiRoutesOptions {
  /** Folder with the built `app.js` and `app.css`. Default: `dist/ui` of this package. */
  assetsDir?: string;
}

/**
 * Where the built dashboard is: beside the bundled server (`dist/ui/`), or, when the server
 * runs from its TypeScript sources (tests, `tsx`), in the package's `dist/ui/`.
 */
function defaultAssetsDir(): string | undefined {
  const candidates = [new URL('./ui/', import.meta.url), new URL('../../dist/ui/', import.meta.url)];
  const found = candidates.find((url) => existsSync(new URL('app.js', url)));
  return found === undefined ? undefined : fileURLToPath(found);
}

// The page needs nothing but its own script and style; images may be signed URLs of another
// origin (S3), so they are the one exception.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  'img-src * data: blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>webtasks dashboard</title>
<link rel="stylesheet" href="ui/app.css">
<script defer src="ui/app.js"></script>
</head>
<body>
<noscript>The webtasks dashboard needs JavaScript. The API itself is documented at <a href="docs">/docs</a>.</noscript>
</body>
</html>
`;

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

/**
 * The dashboard at `/ui`: a static page whose script calls the JSON API with the API key the
 * user types in (kept in sessionStorage). The page and its assets hold no data, so they need
 * no key; every call they make does.
 */
export async function uiRoutes(app: FastifyInstance, options: UiRoutesOptions): Promise<void> {
  const dir = options.assetsDir ?? defaultAssetsDir();
  const read = (name: string) => {
    const path = dir === undefined ? undefined : `${dir.replace(/\/?$/, '/')}${name}`;
    return path !== undefined && existsSync(path) ? readFileSync(path) : undefined;
  };
  const assets = { js: read('app.js'), css: read('app.css') };

  app.get('/ui', { schema: { hide: true } }, async (_request, reply) => {
    if (assets.js === undefined || assets.css === undefined) {
      return secure(reply)
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The dashboard is not built: run `pnpm --filter @webtasks/server build` (it writes dist/ui/app.js and app.css).\n',
        );
    }
    return secure(reply).type('text/html; charset=utf-8').send(PAGE);
  });
  // Relative asset URLs resolve from `/ui`, not `/ui/`.
  app.get('/ui/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('../ui', 302));
  app.get('/ui/app.js', { schema: { hide: true } }, async (_request, reply) =>
    assets.js === undefined
      ? reply.callNotFound()
      : secure(reply).type('text/javascript; charset=utf-8').send(assets.js),
  );
  app.get('/ui/app.css', { schema: { hide: true } }, async (_request, reply) =>
    assets.css === undefined
      ? reply.callNotFound()
      : secure(reply).type('text/css; charset=utf-8').send(assets.css),
  );
}
