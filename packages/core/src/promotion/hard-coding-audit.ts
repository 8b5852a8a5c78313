import { rowsOf } from '../delivery.js';
import type { JsonObject, JsonValue } from '../ports/common.js';
import type { SecretRedactor } from '../secrets/redaction.js';
import { type SourceLiteral, sourceLiterals } from './source-literals.js';

/** Shortest parameter string checked; shorter values (`'en'`, `'1'`) match too much code by chance. */
export const MIN_PARAMETER_LITERAL = 3;
/** Shortest output text checked for having been copied into the program. */
export const MIN_OUTPUT_LITERAL = 20;
/** Smallest whole number parameter checked (smaller ones are loop bounds, indexes, counts). */
export const MIN_PARAMETER_NUMBER = 1000;

/**
 * Words a parameter may well share with unrelated code (`'all'`, `'name'`, `'next'`): a
 * parameter whose value is one of these is not checked.
 */
const GENERIC_VALUES = new Set(
  (
    'true false null undefined yes no all any none asc desc and not off get post put ' +
    'new old name title url link text value item items list page next prev previous more default ' +
    'first last id ids key type data json html csv pdf http https www com org net'
  ).split(' '),
);

/** One hard-coded value found in a program. */
export interface HardCodingFinding {
  kind: 'parameter' | 'output' | 'secret';
  /** The value found (shortened for long output text); for a secret, its placeholder, never the value. */
  value: string;
  /** Where it came from: `params.batch`, `output[3].tagline`. */
  from: string;
  /** Line of the literal in the source. */
  line: number;
}

export type HardCodingAudit = { ok: true } | { ok: false; findings: HardCodingFinding[]; message: string };

function leaves(value: JsonValue, path: string, out: Array<{ path: string; value: string | number }>): void {
  if (typeof value === 'string' || typeof value === 'number') {
    out.push({ path, value });
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) leaves(item, `${path}[${i}]`, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      leaves(
        item,
        /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`,
        out,
      );
    }
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `needle` inside `haystack` with no letter or digit on either side. */
function containsBounded(haystack: string, needle: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9])${escapeRegExp(needle)}($|[^A-Za-z0-9])`).test(haystack);
}

function significantString(value: string): boolean {
  const text = value.trim();
  if (text.length < MIN_PARAMETER_LITERAL) return false;
  if (GENERIC_VALUES.has(text.toLowerCase())) return false;
  return !(/^\d+$/.test(text) && text.length < 4);
}

function significantNumber(value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (Number.isInteger(value)) return Math.abs(value) >= MIN_PARAMETER_NUMBER && value % 100 !== 0;
  return String(value).replace(/[^0-9]/g, '').length >= 4;
}

function parameterFinding(
  literals: SourceLiteral[],
  path: string,
  value: string | number,
): HardCodingFinding | undefined {
  if (typeof value === 'number') {
    if (!significantNumber(value)) return undefined;
    const text = String(value);
    const hit = literals.find((l) =>
      l.kind === 'number' ? Number(l.text) === value : containsBounded(l.text, text),
    );
    return hit ? { kind: 'parameter', value: text, from: path, line: hit.line } : undefined;
  }
  if (!significantString(value)) return undefined;
  const text = value.trim();
  // Inside longer text only when the value is distinctive: four characters or more, or with a digit ('S24').
  const distinctive = text.length >= 4 || /\d/.test(text);
  const hit = literals.find(
    (l) => l.kind === 'string' && (l.text === text || (distinctive && containsBounded(l.text, text))),
  );
  return hit ? { kind: 'parameter', value: text, from: path, line: hit.line } : undefined;
}

/** Output strings that carry data of this run: long, and varying between rows of a list. */
function copiedOutputCandidates(output: JsonValue): Array<{ path: string; value: string }> {
  const all: Array<{ path: string; value: string | number }> = [];
  leaves(output, 'output', all);
  const rows = rowsOf(output);
  const constant = new Set<string>();
  if (rows && rows.length >= 2) {
    // A value every row shares is a label the program adds, not data it read.
    const counts = new Map<string, number>();
    for (const row of rows) {
      const seen = new Set<string>();
      const rowLeaves: Array<{ path: string; value: string | number }> = [];
      leaves(row, '', rowLeaves);
      for (const leaf of rowLeaves) if (typeof leaf.value === 'string') seen.add(leaf.value);
      for (const value of seen) counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    for (const [value, count] of counts) if (count === rows.length) constant.add(value);
  }
  return all
    .filter((leaf): leaf is { path: string; value: string } => typeof leaf.value === 'string')
    .map((leaf) => ({ path: leaf.path, value: leaf.value.trim() }))
    .filter((leaf) => leaf.value.length >= MIN_OUTPUT_LITERAL && !constant.has(leaf.value));
}

/** Secrets whose value (or its placeholder-free redaction) appears anywhere in the source. */
function secretsIn(source: string, secrets: SecretRedactor): HardCodingFinding[] {
  const findings: HardCodingFinding[] = [];
  for (const name of secrets.names) {
    const value = secrets.value(name);
    if (!value) continue;
    const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
    const at = forms.map((form) => source.indexOf(form)).find((index) => index >= 0);
    if (at === undefined) continue;
    const line = source.slice(0, at).split('\n').length;
    findings.push({ kind: 'secret', value: `«secret:${name}»`, from: name, line });
  }
  return findings;
}

const quote = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}…` : text);

/**
 * The hard-coding audit, run on a candidate before it is saved (no model involved). A
 * program that contains a literal value of this run's parameters (`'S24'` where
 * `params.batch` is `'S24'`), or long text copied from this run's output, works for this run
 * only. Short or generic values, round numbers, text the task or start URL already contains
 * and labels every output row shares are not findings.
 */
export function auditHardCoding(options: {
  source: string;
  params: JsonObject;
  output: JsonValue;
  /** Text the caller wrote: values that appear in it are the task's own constants. */
  task?: string;
  startUrl?: string;
  /** The task's secrets: a program containing a value is refused, naming the secret. */
  secrets?: SecretRedactor;
}): HardCodingAudit {
  const secretFindings = options.secrets ? secretsIn(options.source, options.secrets) : [];
  if (secretFindings.length > 0) {
    const lines = secretFindings.map(
      (f) =>
        `- line ${f.line}: the program contains the value of the secret "${f.from}": use ctx.secrets.${f.from} instead.`,
    );
    return {
      ok: false,
      findings: secretFindings,
      message: `The program contains secret values, which are never saved:\n${lines.join('\n')}`,
    };
  }
  const literals = sourceLiterals(options.source);
  const givenText = `${options.task ?? ''}\n${options.startUrl ?? ''}`;
  const findings: HardCodingFinding[] = [];
  const params: Array<{ path: string; value: string | number }> = [];
  leaves(options.params, 'params', params);
  const paramTexts = new Set(params.map((p) => String(p.value).trim()));
  for (const { path, value } of params) {
    const finding = parameterFinding(literals, path, value);
    if (finding) findings.push(finding);
  }
  const seen = new Set(findings.map((f) => f.value));
  for (const { path, value } of copiedOutputCandidates(options.output)) {
    if (seen.has(value) || paramTexts.has(value) || givenText.includes(value)) continue;
    const hit = literals.find((l) => l.kind === 'string' && l.text.includes(value));
    if (!hit) continue;
    seen.add(value);
    findings.push({ kind: 'output', value, from: path, line: hit.line });
  }
  if (findings.length === 0) return { ok: true };
  const lines = findings
    .slice(0, 5)
    .map((f) =>
      f.kind === 'parameter'
        ? `- line ${f.line}: the program contains ${quote(f.value)}, the value of ${f.from}: read it from ctx.${f.from} so that runs with other parameters work.`
        : `- line ${f.line}: the program contains ${quote(f.value)}, copied from this run's ${f.from}: read it from the page instead of writing it into the program.`,
    );
  const more = findings.length > 5 ? `\n(and ${findings.length - 5} more)` : '';
  return {
    ok: false,
    findings,
    message: `The program hard-codes values of this run, so it would only work for this run:\n${lines.join('\n')}${more}`,
  };
}
