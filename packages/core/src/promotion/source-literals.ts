/** A literal written in a program's source. */
export interface SourceLiteral {
  kind: 'string' | 'number';
  /** The literal's text: a string's value (escapes kept as written), a number's digits. */
  text: string;
  /** 1-based line of the literal. */
  line: number;
}

const REGEX_CAN_FOLLOW = new Set([
  '',
  '(',
  ',',
  '=',
  ':',
  '[',
  '!',
  '&',
  '|',
  '?',
  '{',
  '}',
  ';',
  '+',
  '-',
  '*',
  '%',
  '<',
  '>',
  '~',
  '^',
]);

/**
 * The string and number literals of a TypeScript/JavaScript source, with comments skipped
 * and the static parts of template literals read as strings. A small scanner rather than a
 * parser (the core carries no compiler): regular-expression literals are recognised by the
 * token before them, which is right for the code models write.
 */
export function sourceLiterals(source: string): SourceLiteral[] {
  const literals: SourceLiteral[] = [];
  let line = 1;
  let index = 0;
  let previous = ''; // last significant code character
  // Brace depths at which an open template literal resumes (`${ … }` nesting).
  const templateResume: number[] = [];
  let depth = 0;

  const readQuoted = (quote: string): string => {
    let text = '';
    index += 1;
    while (index < source.length && source[index] !== quote) {
      const char = source[index] as string;
      if (char === '\\') {
        text += source.slice(index, index + 2);
        index += 2;
        continue;
      }
      if (char === '\n') {
        if (quote !== '`') break;
        line += 1;
      }
      if (quote === '`' && char === '$' && source[index + 1] === '{') return text;
      text += char;
      index += 1;
    }
    return text;
  };

  const readTemplate = (): void => {
    const start = line;
    const text = readQuoted('`');
    literals.push({ kind: 'string', text, line: start });
    if (source[index] === '$') {
      index += 2;
      depth += 1;
      templateResume.push(depth);
      previous = '{';
    } else {
      index += 1;
      previous = ')';
    }
  };

  while (index < source.length) {
    const char = source[index] as string;
    const next = source[index + 1];
    if (char === '\n') {
      line += 1;
      index += 1;
    } else if (/\s/.test(char)) {
      index += 1;
    } else if (char === '/' && next === '/') {
      while (index < source.length && source[index] !== '\n') index += 1;
    } else if (char === '/' && next === '*') {
      const end = source.indexOf('*/', index + 2);
      const stop = end === -1 ? source.length : end + 2;
      line += (source.slice(index, stop).match(/\n/g) ?? []).length;
      index = stop;
    } else if (char === '/' && REGEX_CAN_FOLLOW.has(previous)) {
      let inClass = false;
      index += 1;
      while (index < source.length && source[index] !== '\n') {
        const c = source[index];
        if (c === '\\') index += 1;
        else if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        else if (c === '/' && !inClass) break;
        index += 1;
      }
      index += 1;
      previous = ')';
    } else if (char === '"' || char === "'") {
      const start = line;
      literals.push({ kind: 'string', text: readQuoted(char), line: start });
      index += 1;
      previous = ')';
    } else if (char === '`') {
      readTemplate();
    } else if (char === '}' && templateResume.at(-1) === depth) {
      templateResume.pop();
      depth -= 1;
      readTemplate();
    } else if (/[0-9]/.test(char) || (char === '.' && /[0-9]/.test(next ?? ''))) {
      const match = /^(?:0[xXbBoO][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+(?:[eE][+-]?[0-9]+)?)n?/.exec(
        source.slice(index),
      );
      const text = match?.[0] ?? char;
      literals.push({ kind: 'number', text: text.replace(/_/g, ''), line });
      index += text.length;
      previous = ')';
    } else if (/[A-Za-z_$]/.test(char)) {
      const word = /^[A-Za-z0-9_$]+/.exec(source.slice(index))?.[0] ?? char;
      index += word.length;
      // After a keyword such as `return`, a slash starts a regular expression.
      previous = /^(return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/.test(word)
        ? '('
        : ')';
    } else {
      if (char === '{') depth += 1;
      else if (char === '}') depth -= 1;
      previous = char;
      index += 1;
    }
  }
  return literals;
}
