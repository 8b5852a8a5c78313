/** One node of Playwright's `ariaSnapshotJSON({ mode: 'ai' })`. */
export interface AriaNode {
  role: string;
  name?: string;
  ref?: string;
  text?: string;
  url?: string;
  placeholder?: string;
  checked?: boolean | 'mixed';
  disabled?: boolean;
  expanded?: boolean;
  pressed?: boolean | 'mixed';
  selected?: boolean;
  invalid?: boolean | string;
  level?: number;
  cursor?: string;
  children?: Array<AriaNode | string>;
  [key: string]: unknown;
}

/** Options of `renderSnapshot`. */
export interface RenderOptions {
  /** Runs of more similar siblings than this show the first `max - 1` and the last one. */
  maxItemsPerList: number;
  /** Origin of the page: same-origin link targets are written as paths. */
  origin?: string;
  /** Refs of required form controls (not in Playwright's snapshot). */
  requiredRefs?: ReadonlySet<string>;
  /** Stop after this many bytes. */
  maxBytes?: number;
}

/** Roles an agent acts on: they always carry their ref. */
export const INTERACTIVE_ROLES = new Set([
  'link',
  'button',
  'textbox',
  'searchbox',
  'checkbox',
  'radio',
  'combobox',
  'listbox',
  'option',
  'switch',
  'slider',
  'spinbutton',
  'tab',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'treeitem',
  'gridcell',
]);
/** Form controls whose `required` state `observe` looks up. */
export const FORM_ROLES = new Set([
  'textbox',
  'searchbox',
  'combobox',
  'listbox',
  'checkbox',
  'radio',
  'spinbutton',
]);
const REF_ROLES = new Set([
  'heading',
  'listitem',
  'row',
  'article',
  'dialog',
  'alertdialog',
  'table',
  'list',
  'img',
  'form',
]);
const TRANSPARENT = new Set(['generic', 'none', 'presentation']);
const CELL_ROLES = new Set(['cell', 'columnheader', 'rowheader', 'gridcell']);
const MAX_NAME = 120;
const MAX_TEXT = 200;

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const quote = (text: string, max = MAX_NAME) => JSON.stringify(clip(text, max));

function hasInteractive(node: AriaNode): boolean {
  return (node.children ?? []).some(
    (c) => typeof c !== 'string' && (INTERACTIVE_ROLES.has(c.role) || hasInteractive(c)),
  );
}

/** Replace unnamed generic wrappers by their children (a clickable wrapper stays). */
function flatten(children: Array<AriaNode | string>): Array<AriaNode | string> {
  const out: Array<AriaNode | string> = [];
  for (const child of children) {
    if (typeof child === 'string') {
      if (child.trim() !== '') out.push(child);
    } else if (TRANSPARENT.has(child.role) && !child.name && child.cursor !== 'pointer') {
      if (child.text) out.push(child.text);
      out.push(...flatten(child.children ?? []));
    } else {
      out.push(child);
    }
  }
  return out;
}

function signature(node: AriaNode | string, depth = 0): string {
  if (typeof node === 'string') return 't';
  if (depth >= 2) return node.role;
  const kids = flatten(node.children ?? []).map((c) => signature(c, depth + 1));
  return `${node.role}(${kids.join(',')})`;
}

function collectNames(node: AriaNode, into: string[]): void {
  for (const child of node.children ?? []) {
    if (typeof child === 'string') continue;
    if ((child.role === 'link' || child.role === 'button') && child.name) into.push(child.name);
    collectNames(child, into);
  }
}

/** Render Playwright's AI snapshot as a compact outline (see `PageSnapshot.text`). */
export function renderSnapshot(nodes: Array<AriaNode | string>, options: RenderOptions): string {
  const lines: string[] = [];
  let bytes = 0;
  let truncated = false;
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const max = Math.max(2, options.maxItemsPerList);
  const push = (depth: number, line: string) => {
    if (truncated) return;
    const text = `${'  '.repeat(depth)}- ${line}`;
    bytes += Buffer.byteLength(text) + 1;
    if (bytes > maxBytes) {
      truncated = true;
      lines.push(`- … snapshot cut at ${maxBytes} bytes: read the rest with locators …`);
      return;
    }
    lines.push(text);
  };

  const href = (url: string) =>
    options.origin && url.startsWith(options.origin) ? url.slice(options.origin.length) || '/' : url;

  const describeNode = (node: AriaNode, kids: Array<AriaNode | string>): string => {
    let line = node.role === 'heading' && node.level ? `heading` : node.role;
    if (node.name) line += ` ${quote(node.name)}`;
    if (node.role === 'heading' && node.level) line += ` [h${node.level}]`;
    if (node.checked === true) line += ' [checked]';
    if (node.checked === 'mixed') line += ' [checked=mixed]';
    if (node.disabled) line += ' [disabled]';
    if (node.expanded !== undefined) line += node.expanded ? ' [expanded]' : ' [collapsed]';
    if (node.pressed) line += ' [pressed]';
    if (node.selected) line += ' [selected]';
    if (node.invalid && node.invalid !== 'false') line += ' [invalid]';
    if (node.ref && options.requiredRefs?.has(node.ref)) line += ' [required]';
    if (
      node.ref &&
      (INTERACTIVE_ROLES.has(node.role) || REF_ROLES.has(node.role) || node.cursor === 'pointer')
    ) {
      line += ` [ref=${node.ref}]`;
    }
    if (node.url) line += ` -> ${href(node.url)}`;
    if (node.placeholder && node.placeholder !== node.name) line += ` placeholder=${quote(node.placeholder)}`;
    if (node.role === 'combobox' || node.role === 'listbox') {
      const opts = kids.filter((k): k is AriaNode => typeof k !== 'string' && k.role === 'option');
      const chosen = opts.filter((o) => o.selected).map((o) => o.name ?? '');
      if (chosen.length) line += ` value=${chosen.map((c) => quote(c)).join(',')}`;
      if (opts.length) {
        const names = opts.slice(0, 12).map((o) => clip(o.name ?? '', 40));
        line += ` options=[${names.join(' | ')}${opts.length > 12 ? ` | … +${opts.length - 12}` : ''}]`;
      }
    } else if (
      node.text !== undefined &&
      (node.role === 'textbox' || node.role === 'searchbox' || node.role === 'spinbutton')
    ) {
      line += ` value=${quote(node.text, MAX_TEXT)}`;
    } else if (node.text && node.text !== node.name) {
      line += `: ${clip(node.text, MAX_TEXT)}`;
    }
    return line;
  };

  const renderRow = (node: AriaNode, kids: Array<AriaNode | string>, depth: number): boolean => {
    if (node.role !== 'row' || hasInteractive(node)) return false;
    if (!kids.every((k) => typeof k !== 'string' && CELL_ROLES.has(k.role))) return false;
    const cells = (kids as AriaNode[]).map((c) => clip(c.name ?? c.text ?? '', 60));
    const header = (kids as AriaNode[]).every((c) => c.role === 'columnheader');
    push(
      depth,
      `row${header ? ' (header)' : ''}${node.ref ? ` [ref=${node.ref}]` : ''}: ${cells.join(' | ')}`,
    );
    return true;
  };

  const renderList = (items: Array<AriaNode | string>, depth: number, parent?: AriaNode) => {
    let index = 0;
    while (index < items.length && !truncated) {
      const item = items[index]!;
      let end = index + 1;
      if (typeof item !== 'string') {
        const sig = signature(item);
        while (end < items.length && signature(items[end]!) === sig) end++;
      }
      const run = end - index;
      if (run > max + 1) {
        for (let i = index; i < index + max - 1; i++) renderNode(items[i]!, depth, items, i, parent);
        const hidden = items.slice(index + max - 1, end - 1) as AriaNode[];
        const names: string[] = [];
        for (const h of hidden) {
          if ((h.role === 'link' || h.role === 'button') && h.name) names.push(h.name);
          collectNames(h, names);
        }
        const list = names.map((n) => quote(n, 40)).join(', ');
        const role = (item as AriaNode).role;
        push(
          depth,
          `… ${hidden.length} more similar items (${role})${names.length && list.length <= 400 ? `: ${list}` : ''} …`,
        );
        renderNode(items[end - 1]!, depth, items, end - 1, parent);
      } else {
        for (let i = index; i < end; i++) renderNode(items[i]!, depth, items, i, parent);
      }
      index = end;
    }
  };

  const renderNode = (
    node: AriaNode | string,
    depth: number,
    siblings: Array<AriaNode | string>,
    at: number,
    parent?: AriaNode,
  ) => {
    if (typeof node === 'string') {
      const neighbours = [siblings[at - 1], siblings[at + 1]].map((s) =>
        typeof s === 'string' ? undefined : s?.name,
      );
      const text = clip(node, MAX_TEXT);
      // Labels repeat the name of the control beside them; a parent's name repeats its text.
      if (text === '' || neighbours.includes(node.trim()) || parent?.name === node.trim()) return;
      push(depth, `text: ${text}`);
      return;
    }
    const kids = flatten(node.children ?? []);
    if (renderRow(node, kids, depth)) return;
    push(depth, describeNode(node, kids));
    if (node.role === 'combobox' || node.role === 'listbox') return;
    renderList(kids, depth + 1, node);
  };

  renderList(flatten(nodes), 0);
  return lines.join('\n');
}
