import type { Bundle } from '../ports/bundle-store.js';
import type { JsonValue } from '../ports/common.js';

/** One parameter a bundle takes: read by its code, described by its parameter schema, or both. */
export interface BundleParameter {
  name: string;
  /** The parameter schema's `type` of it, when it has one. */
  type?: string;
  /** The parameter schema lists it as required. */
  required: boolean;
  /** The parameter schema's `default`. */
  default?: JsonValue;
  /** A value an earlier successful run used (the newest one recorded), for a usage line. */
  example?: JsonValue;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The source with comments removed (strings kept), so commented-out reads do not count. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\/|([^:\\'"`]|^)\/\/[^\n]*/g, (match, before: string | undefined) =>
    match.startsWith('/*') ? ' ' : (before ?? ''),
  );
}

/**
 * The names of the parameters a bundle's source reads: `params.name`, `params?.name`,
 * `params['name']` and destructuring (`const { a, b: c } = ctx.params`). A scanner over the
 * text, not a parser (the core carries no compiler): dynamic reads (`params[key]`) are not
 * found, which is why the parameter schema, when there is one, is listed too.
 */
export function parametersReadBySource(source: string): string[] {
  const text = withoutComments(source);
  const names = new Set<string>();
  for (const match of text.matchAll(/\bparams\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)/g)) {
    if (match[1]) names.add(match[1]);
  }
  for (const match of text.matchAll(/\bparams\s*(?:\?\.)?\s*\[\s*(['"`])([^'"`\n]+)\1\s*\]/g)) {
    if (match[2]) names.add(match[2]);
  }
  for (const match of text.matchAll(/\{([^{}]*)\}\s*(?::[^=;]+)?=\s*(?:\w+\s*\.\s*)?params\b(?!\s*[.[?])/g)) {
    for (const part of (match[1] ?? '').split(',')) {
      const name = part
        .split(/[:=]/)[0]
        ?.trim()
        .replace(/^\.\.\./, '');
      if (name && IDENTIFIER.test(name) && !part.trim().startsWith('...')) names.add(name);
    }
  }
  return [...names];
}

/**
 * The parameters of `bundle`, in the order its code reads them, then those only its parameter
 * schema names: what `webtasks bundles export` prints beside the install step.
 */
export function bundleParameters(
  bundle: Pick<Bundle, 'source' | 'paramsSchema' | 'stats'>,
): BundleParameter[] {
  const schema = (bundle.paramsSchema ?? {}) as {
    properties?: Record<string, { type?: unknown; default?: JsonValue }>;
    required?: unknown;
  };
  const properties = schema.properties ?? {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const example = bundle.stats?.samples?.at(-1)?.params ?? {};
  const names = [...new Set([...parametersReadBySource(bundle.source), ...Object.keys(properties)])];
  return names.map((name) => {
    const described = properties[name];
    const type = Array.isArray(described?.type) ? described.type.join(' | ') : described?.type;
    return {
      name,
      ...(typeof type === 'string' ? { type } : {}),
      required: required.has(name),
      ...(described?.default !== undefined ? { default: described.default } : {}),
      ...(example[name] !== undefined ? { example: example[name] } : {}),
    };
  });
}

/** `--params '{"name":"…"}'` for a usage line: examples where known, else placeholders. */
export function paramsArgument(parameters: BundleParameter[]): string {
  if (parameters.length === 0) return '';
  const value = Object.fromEntries(
    parameters.map((p) => [p.name, p.example ?? p.default ?? `<${p.type ?? 'value'}>`]),
  );
  return ` --params '${JSON.stringify(value).replace(/'/g, "'\\''")}'`;
}

/** One line per parameter: `name (string, required) — e.g. "S24"`. */
export function describeParameters(parameters: BundleParameter[]): string[] {
  return parameters.map((p) => {
    const traits = [
      p.type,
      p.required ? 'required' : undefined,
      p.default !== undefined ? `default ${JSON.stringify(p.default)}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    const example = p.example !== undefined ? ` — e.g. ${JSON.stringify(p.example)}` : '';
    return `${p.name}${traits ? ` (${traits})` : ''}${example}`;
  });
}
