/** A parsed request, as the fixture handlers see it. */
export interface SiteRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  /** Fields of an `application/x-www-form-urlencoded` body (empty for other requests). */
  form: URLSearchParams;
  cookies: Record<string, string>;
}

/** What a fixture handler answers. */
export interface SiteResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string | Uint8Array;
}

/** The fixture variants that change markup at the same URLs. */
export type FixtureVariant = 'default' | 'directory-v2';

/** A completed application of the `/form` site. */
export interface FormSubmission {
  fullName: string;
  email: string;
  phone: string;
  companyName: string;
  role: string;
  teamSize: string;
  newsletter: boolean;
  confirmationNumber: string;
}

/** One request the fixture server received. */
export interface FixtureRequest {
  method: string;
  /** Path and query, e.g. `/directory?page=2`. */
  path: string;
  /** The `Host` header, e.g. `127.0.0.1:41234` or `localhost:41234`. */
  host: string;
}

/** Mutable state shared by the handlers of one server. */
export interface SiteState {
  variant: FixtureVariant;
  account: import('./account.js').AccountSiteState;
  submissions: FormSubmission[];
  formDrafts: Map<string, Record<string, string>>;
  nextDraftId: number;
}

/** A route: answers the request, or returns undefined to let the next one try. */
export type SiteHandler = (
  request: SiteRequest,
  state: SiteState,
) => SiteResponse | Promise<SiteResponse> | undefined;

/** An HTML response. */
export function html(
  body: string,
  status = 200,
  headers: Record<string, string | string[]> = {},
): SiteResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body };
}

/** A redirect (303 See Other by default: the POST-redirect-GET answer). */
export function redirect(
  location: string,
  status = 303,
  headers: Record<string, string | string[]> = {},
): SiteResponse {
  return { status, headers: { location, ...headers } };
}

/** A JSON response. */
export function json(value: unknown, status = 200): SiteResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}
