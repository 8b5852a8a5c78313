import { escapeHtml, htmlPage } from './html.js';
import { html, type SiteHandler } from './site-types.js';

/**
 * Every way a page can make the browser open a connection without the code asking for it,
 * each a page `/hostile/<vector>?target=<url>` that tries to reach `target`.
 */
export const HOSTILE_VECTORS = [
  'location',
  'popup',
  'iframe',
  'meta-refresh',
  'speculation-prefetch',
  'speculation-prerender',
  'link-prefetch',
  'link-preconnect',
  'service-worker',
  'web-worker',
  'beacon',
  'ping',
  'fetch',
  'websocket',
  'webrtc-turn-tcp',
] as const;
export type HostileVector = (typeof HOSTILE_VECTORS)[number];

const js = (value: string) => JSON.stringify(value).replace(/</g, '\\u003c');

function vectorBody(vector: HostileVector, target: string): { head?: string; body: string } {
  const t = js(target);
  const url = new URL(target);
  switch (vector) {
    case 'location':
      return { body: `<script>location.href = ${t};</script>` };
    case 'popup':
      return { body: `<script>window.open(${t});</script>` };
    case 'iframe':
      return { body: `<iframe src="${escapeHtml(target)}"></iframe>` };
    case 'meta-refresh':
      return { head: `<meta http-equiv="refresh" content="0;url=${escapeHtml(target)}">`, body: '' };
    case 'speculation-prefetch':
    case 'speculation-prerender': {
      const kind = vector === 'speculation-prefetch' ? 'prefetch' : 'prerender';
      const rules = JSON.stringify({ [kind]: [{ source: 'list', urls: [target], eagerness: 'immediate' }] });
      return { body: `<script type="speculationrules">${rules.replace(/</g, '\\u003c')}</script>` };
    }
    case 'link-prefetch':
      return { head: `<link rel="prefetch" href="${escapeHtml(target)}">`, body: '' };
    case 'link-preconnect':
      return {
        head: `<link rel="preconnect" href="${escapeHtml(url.origin)}"><link rel="dns-prefetch" href="${escapeHtml(url.origin)}">`,
        body: '',
      };
    case 'service-worker':
      return {
        body: `<script>navigator.serviceWorker.register('/hostile/sw.js?target=' + encodeURIComponent(${t})).then(
  () => navigator.serviceWorker.ready).then((r) => { document.title = 'sw ready'; r.active && r.active.postMessage('go'); },
  (e) => { document.title = 'sw failed: ' + e.message; });</script>`,
      };
    case 'web-worker':
      return {
        body: `<script>new Worker('/hostile/worker.js?target=' + encodeURIComponent(${t}));</script>`,
      };
    case 'beacon':
      return { body: `<script>navigator.sendBeacon(${t}, 'beacon');</script>` };
    case 'ping':
      return {
        body: `<a id="go" href="/testing/second" ping="${escapeHtml(target)}">go</a><script>document.getElementById('go').click();</script>`,
      };
    case 'fetch':
      return { body: `<script>fetch(${t}, { mode: 'no-cors' }).catch(() => {});</script>` };
    case 'websocket':
      return { body: `<script>new WebSocket(${js(`ws://${url.host}/socket`)});</script>` };
    case 'webrtc-turn-tcp':
      return {
        body: `<script>
const pc = new RTCPeerConnection({ iceServers: [{ urls: ${js(`turn:${url.host}?transport=tcp`)}, username: 'u', credential: 'p' }], iceTransportPolicy: 'relay' });
pc.createDataChannel('x');
pc.createOffer().then((offer) => pc.setLocalDescription(offer));
</script>`,
      };
  }
}

const workerScript = (target: string) => `fetch(${js(target)}, { mode: 'no-cors' }).catch(() => {});`;
const serviceWorkerScript = (target: string) => `self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('message', () => { fetch(${js(target)}, { mode: 'no-cors' }).catch(() => {}); });
fetch(${js(target)}, { mode: 'no-cors' }).catch(() => {});`;

/** `/hostile/<vector>?target=`, `/hostile/sw.js?target=`, `/hostile/worker.js?target=`. */
export const hostileHandler: SiteHandler = (request) => {
  const { pathname, searchParams } = request.url;
  if (!pathname.startsWith('/hostile/')) return undefined;
  const target = searchParams.get('target') ?? '';
  const script = (body: string) => ({
    status: 200,
    headers: { 'content-type': 'text/javascript', 'service-worker-allowed': '/' },
    body,
  });
  if (pathname === '/hostile/sw.js') return script(serviceWorkerScript(target));
  if (pathname === '/hostile/worker.js') return script(workerScript(target));
  const vector = pathname.slice('/hostile/'.length) as HostileVector;
  if (!HOSTILE_VECTORS.includes(vector)) return undefined;
  try {
    new URL(target);
  } catch {
    return html(htmlPage({ title: 'Bad target', body: '<p>target must be an absolute URL</p>' }), 400);
  }
  const { head = '', body } = vectorBody(vector, target);
  return html(
    `<!doctype html><html><head><meta charset="utf-8"><title>hostile ${vector}</title>${head}</head><body><h1>${vector}</h1>${body}</body></html>`,
  );
};
