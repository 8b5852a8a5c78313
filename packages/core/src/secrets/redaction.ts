import { SECRET_NAME_PATTERN, secretPlaceholder } from '@webtasks/protocol';
import { WebTasksError } from '../errors.js';

const PLACEHOLDER = /«secret:([A-Za-z_][A-Za-z0-9_]{0,63})»/g;

/**
 * One task's secrets, seen from the engine: the only place their values live. Everything that
 * leaves the engine (logs, events, results, run records, the model's context, the sandbox)
 * goes through `redact`; everything that goes to the browser goes through `substitute`.
 */
export interface SecretRedactor {
  /** Names of the secrets, sorted. */
  readonly names: readonly string[];
  /** The value of a secret (undefined when it is not set). Never log it. */
  value(name: string): string | undefined;
  /** Text with every secret value (and its URL- and JSON-escaped forms) replaced by `«secret:name»`. */
  redact(text: string): string;
  /** A JSON-like value with `redact` applied to every string (object keys included). */
  redactJson<T>(value: T): T;
  /** Text with every `«secret:name»` replaced by the value; an unknown name throws `rejected`. */
  substitute(text: string): string;
  /** A JSON-like value with `substitute` applied to every string. */
  substituteJson<T>(value: T): T;
  /**
   * Also redact an auth session's cookie and localStorage values (those that look like
   * credentials: `isSessionCredential`) as `«session:name»`. Called with the state a task
   * starts from and again with the state each browser session ends with, so values the site
   * set during the run are redacted from what is kept afterwards (the trace, the record).
   */
  addSessionValues(name: string, state: SessionValues): void;
  /** Names of the auth sessions whose values are redacted (`addSessionValues`). */
  readonly sessions: readonly string[];
}

/** The parts of a storage state whose values are redacted. */
export interface SessionValues {
  cookies: ReadonlyArray<{ value: string }>;
  origins: ReadonlyArray<{ localStorage: ReadonlyArray<{ value: string }> }>;
}

/** Shortest cookie or localStorage value redacted as `«session:name»` (see `isSessionCredential`). */
export const MIN_SESSION_VALUE_LENGTH = 8;

/**
 * Whether a cookie or localStorage value looks like a credential and is redacted: 8 or more
 * characters mixing letters and digits (session ids, tokens, JWTs), or any 16 or more. Words
 * and plain numbers ("1", "en", "accepted", a timestamp) are not credentials, and replacing
 * them would corrupt ordinary page text and extracted data.
 */
export function isSessionCredential(value: string): boolean {
  if (value.length < MIN_SESSION_VALUE_LENGTH) return false;
  if (value.length >= 16) return true;
  return /[0-9]/.test(value) && /[A-Za-z]/.test(value);
}

/** How an auth session's cookie and localStorage values show in logs, records and traces. */
export function sessionPlaceholder(name: string): string {
  return `«session:${name}»`;
}

/** The error for code or an action that uses a secret the task does not have. */
export function missingSecretError(name: string): WebTasksError {
  return new WebTasksError({
    code: 'rejected',
    message: `The secret "${name}" is not set: pass it in the request's "secrets" or store it in the workspace (webtasks secrets set ${name}).`,
    details: { secret: name },
  });
}

function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[map(key)] = mapStrings(inner, map);
    return out as T;
  }
  return value;
}

/** A redactor for `secrets` (name → value). Values are matched literally. */
export function createSecretRedactor(secrets: Readonly<Record<string, string>>): SecretRedactor {
  const names = Object.keys(secrets)
    .filter((name) => SECRET_NAME_PATTERN.test(name))
    .sort();
  const forms: Array<{ text: string; placeholder: string }> = [];
  const known = new Set<string>();
  const sessions: string[] = [];
  // As typed, in a URL, in a form body (space as "+"), inside JSON text.
  const addValue = (value: string, placeholder: string) => {
    if (value.length === 0 || known.has(value)) return;
    known.add(value);
    const variants = new Set([
      value,
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
      JSON.stringify(value).slice(1, -1),
    ]);
    for (const text of variants) forms.push({ text, placeholder });
    // Longest first, so a value that contains another is replaced whole.
    forms.sort((a, b) => b.text.length - a.text.length);
  };
  for (const name of names) addValue(secrets[name] as string, secretPlaceholder(name));
  const redact = (text: string): string => {
    let out = text;
    for (const form of forms) if (out.includes(form.text)) out = out.split(form.text).join(form.placeholder);
    return out;
  };
  const substitute = (text: string): string =>
    text.includes('«secret:')
      ? text.replace(PLACEHOLDER, (_match, name: string) => {
          const value = Object.hasOwn(secrets, name) ? secrets[name] : undefined;
          if (value === undefined) throw missingSecretError(name);
          return value;
        })
      : text;
  return {
    names,
    value: (name) => (Object.hasOwn(secrets, name) ? secrets[name] : undefined),
    redact,
    redactJson: (value) => (forms.length === 0 ? value : mapStrings(value, redact)),
    substitute,
    substituteJson: (value) => mapStrings(value, substitute),
    addSessionValues(name, state) {
      const placeholder = sessionPlaceholder(name);
      if (!sessions.includes(name)) sessions.push(name);
      for (const cookie of state.cookies)
        if (isSessionCredential(cookie.value)) addValue(cookie.value, placeholder);
      for (const origin of state.origins)
        for (const item of origin.localStorage)
          if (isSessionCredential(item.value)) addValue(item.value, placeholder);
    },
    sessions,
  };
}

/**
 * Names of the secrets a program reads (`ctx.secrets.name`, `secrets['name']`,
 * `secrets.totp('name')`), found in its text: enough to refuse a run whose secret is missing
 * before it starts. A name built at run time is caught when the browser gets its placeholder.
 */
export function secretsReadBy(source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(/\bsecrets\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()/g))
    if (match[1] !== 'totp') found.add(match[1] as string);
  for (const match of source.matchAll(/\bsecrets\s*\[\s*(['"`])([A-Za-z_][A-Za-z0-9_]*)\1\s*\]/g))
    found.add(match[2] as string);
  for (const match of source.matchAll(/\bsecrets\s*\.\s*totp\s*\(\s*(['"`])([A-Za-z_][A-Za-z0-9_]*)\1/g))
    found.add(match[2] as string);
  return [...found].sort();
}
