import type { LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { EgressGuard } from '../egress/egress-guard.js';

/** How one delivery attempt ended. */
export interface WebhookPostResult {
  /** A 2xx answer. */
  ok: boolean;
  status?: number;
  /** Why no status came back: refused by the egress policy, timeout, connection error. */
  error?: string;
}

/** Options of `postWebhook`. */
export interface PostWebhookOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  guard: EgressGuard;
  /** Time the whole attempt may take (connect, send, answer). */
  timeoutMs: number;
}

/**
 * POST `body` to `url` once. The host is resolved and checked by the egress guard, and the
 * connection goes to one of the checked addresses (the socket's DNS lookup answers with it),
 * so a name that changes its answer between the check and the connect cannot reach a
 * private address. TLS still verifies the certificate against the URL's host name.
 * Redirects are not followed: a 3xx counts as a failed attempt.
 */
export async function postWebhook(options: PostWebhookOptions): Promise<WebhookPostResult> {
  const url = new URL(options.url);
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const verdict = await options.guard.resolve(url.hostname, port);
  if (!verdict.allowed) {
    return {
      ok: false,
      error:
        verdict.kind === 'unresolvable' ? verdict.reason : `refused by the egress policy: ${verdict.reason}`,
    };
  }
  const address = verdict.addresses[0] as string;
  const family = isIP(address) === 6 ? 6 : 4;
  const lookup = (
    _hostname: string,
    lookupOptions: { all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    if (lookupOptions.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const send = secure ? httpsRequest : httpRequest;
  return new Promise<WebhookPostResult>((resolve) => {
    let settled = false;
    const finish = (result: WebhookPostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = send(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) },
        lookup: lookup as never,
        ...(secure
          ? { servername: isIP(url.hostname.replace(/^\[|\]$/g, '')) ? undefined : url.hostname }
          : {}),
      },
      (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        // The answer's body is not needed: read it away so the socket can close.
        response.resume();
        response.on('end', () => finish({ ok: status >= 200 && status < 300, status }));
        response.on('error', () => finish({ ok: status >= 200 && status < 300, status }));
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish({ ok: false, error: `no answer within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, error: `could not deliver: ${error.code ?? error.message}` }),
    );
    request.end(options.body);
  });
}
