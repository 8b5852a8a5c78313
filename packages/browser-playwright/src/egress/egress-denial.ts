import type { DenialKind } from '@webtasks/core';

/** A request or connection the egress policy (or the transfer budget) refused. */
export interface EgressDenial {
  /** The URL, or `https://host:port/` for a tunnel (its path is encrypted). */
  url: string;
  /** What was refused and how to allow it. */
  reason: string;
  kind: DenialKind;
  /**
   * What asked: `http` for a plain HTTP request, `tunnel` for a CONNECT (HTTPS, WebSockets,
   * WebRTC over TCP), `websocket` for an upgrade in absolute form, `budget` when the transfer
   * budget ran out; `document` for a navigation of the page or a frame (added by the session,
   * which sees the browser's side).
   */
  resourceType: string;
  /** Milliseconds since the epoch. */
  at: number;
}

/** The header the egress proxy sets on the 403 answers it makes itself. */
export const DENIED_HEADER = 'x-webtasks-egress';
