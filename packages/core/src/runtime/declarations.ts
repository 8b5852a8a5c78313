/**
 * The runtime contract of generated code: one declaration file, shown to the model in the
 * system prompt and used by the compiler to type-check bundles. `page` is a subset of
 * Playwright's `Page` and `Locator` with the same names and semantics, so a bundle exports
 * to a plain Playwright script without a rewrite.
 *
 * `PAGE_OPS`/`LOCATOR_OPS` (ports/browser.ts) are the list of bridged operations: this
 * declaration, the prelude and the browser's dispatch are held to it by
 * `playwright-subset.test.ts` here and in browser-playwright; the compiler's tests type-check it.
 */
export const RUNTIME_MODULE_NAME = 'webtasks:runtime';

export const RUNTIME_DECLARATIONS = `// webtasks runtime: what generated code may use. A bundle is one module:
//   import type { TaskContext } from 'webtasks:runtime';
//   export default async function run(ctx: TaskContext): Promise<Output> { ... }
// Only type imports from 'webtasks:runtime' are allowed; there is no Node, no fetch, no require.

declare module 'webtasks:runtime' {
  /** JSON values: everything that crosses into and out of the page and the run. */
  export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

  /** Options of text matching methods (getByText, getByLabel, …). */
  export interface TextOptions {
    /** Match the whole string, case-sensitively. Default false (substring, case-insensitive). */
    exact?: boolean;
  }

  /** ARIA roles accepted by getByRole. */
  export type AriaRole =
    | 'alert' | 'alertdialog' | 'application' | 'article' | 'banner' | 'blockquote' | 'button'
    | 'caption' | 'cell' | 'checkbox' | 'code' | 'columnheader' | 'combobox' | 'complementary'
    | 'contentinfo' | 'definition' | 'deletion' | 'dialog' | 'directory' | 'document' | 'emphasis'
    | 'feed' | 'figure' | 'form' | 'generic' | 'grid' | 'gridcell' | 'group' | 'heading' | 'img'
    | 'insertion' | 'link' | 'list' | 'listbox' | 'listitem' | 'log' | 'main' | 'marquee' | 'math'
    | 'meter' | 'menu' | 'menubar' | 'menuitem' | 'menuitemcheckbox' | 'menuitemradio' | 'navigation'
    | 'none' | 'note' | 'option' | 'paragraph' | 'presentation' | 'progressbar' | 'radio' | 'radiogroup'
    | 'region' | 'row' | 'rowgroup' | 'rowheader' | 'scrollbar' | 'search' | 'searchbox' | 'separator'
    | 'slider' | 'spinbutton' | 'status' | 'strong' | 'subscript' | 'superscript' | 'switch' | 'tab'
    | 'table' | 'tablist' | 'tabpanel' | 'term' | 'textbox' | 'time' | 'timer' | 'toolbar' | 'tooltip'
    | 'tree' | 'treegrid' | 'treeitem';

  export interface GetByRoleOptions {
    name?: string | RegExp;
    exact?: boolean;
    checked?: boolean;
    disabled?: boolean;
    expanded?: boolean;
    includeHidden?: boolean;
    level?: number;
    pressed?: boolean;
    selected?: boolean;
  }

  /** Options shared by actions. */
  export interface ActionOptions {
    /** Milliseconds to wait for the element to be actionable. Default 10 000. */
    timeout?: number;
  }

  export interface ClickOptions extends ActionOptions {
    button?: 'left' | 'right' | 'middle';
    clickCount?: number;
    delay?: number;
    force?: boolean;
    modifiers?: Array<'Alt' | 'Control' | 'Meta' | 'Shift'>;
    position?: { x: number; y: number };
  }

  export interface LocatorOptions {
    hasText?: string | RegExp;
    hasNotText?: string | RegExp;
  }

  export interface FilterOptions {
    hasText?: string | RegExp;
    hasNotText?: string | RegExp;
    has?: Locator;
    hasNot?: Locator;
    visible?: boolean;
  }

  export type SelectOptionValue = string | { value?: string; label?: string; index?: number };

  /** Playwright's Locator, the subset webtasks bridges. Same names, same semantics. */
  export interface Locator {
    locator(selector: string, options?: LocatorOptions): Locator;
    getByRole(role: AriaRole, options?: GetByRoleOptions): Locator;
    getByText(text: string | RegExp, options?: TextOptions): Locator;
    getByLabel(text: string | RegExp, options?: TextOptions): Locator;
    getByPlaceholder(text: string | RegExp, options?: TextOptions): Locator;
    getByAltText(text: string | RegExp, options?: TextOptions): Locator;
    getByTitle(text: string | RegExp, options?: TextOptions): Locator;
    getByTestId(testId: string | RegExp): Locator;
    nth(index: number): Locator;
    first(): Locator;
    last(): Locator;
    filter(options: FilterOptions): Locator;
    /** One locator per matching element, in document order. */
    all(): Promise<Locator[]>;
    count(): Promise<number>;

    click(options?: ClickOptions): Promise<void>;
    dblclick(options?: ClickOptions): Promise<void>;
    fill(value: string, options?: ActionOptions): Promise<void>;
    clear(options?: ActionOptions): Promise<void>;
    /** @deprecated Playwright prefers pressSequentially. */
    type(text: string, options?: ActionOptions & { delay?: number }): Promise<void>;
    pressSequentially(text: string, options?: ActionOptions & { delay?: number }): Promise<void>;
    press(key: string, options?: ActionOptions & { delay?: number }): Promise<void>;
    check(options?: ActionOptions & { force?: boolean }): Promise<void>;
    uncheck(options?: ActionOptions & { force?: boolean }): Promise<void>;
    setChecked(checked: boolean, options?: ActionOptions & { force?: boolean }): Promise<void>;
    selectOption(values: SelectOptionValue | SelectOptionValue[], options?: ActionOptions): Promise<string[]>;
    hover(options?: ActionOptions & { force?: boolean }): Promise<void>;
    focus(options?: ActionOptions): Promise<void>;
    scrollIntoViewIfNeeded(options?: ActionOptions): Promise<void>;
    waitFor(options?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;

    textContent(options?: ActionOptions): Promise<string | null>;
    innerText(options?: ActionOptions): Promise<string>;
    innerHTML(options?: ActionOptions): Promise<string>;
    getAttribute(name: string, options?: ActionOptions): Promise<string | null>;
    inputValue(options?: ActionOptions): Promise<string>;
    isVisible(): Promise<boolean>;
    isHidden(): Promise<boolean>;
    isChecked(options?: ActionOptions): Promise<boolean>;
    isEnabled(options?: ActionOptions): Promise<boolean>;
    isDisabled(options?: ActionOptions): Promise<boolean>;
    allTextContents(): Promise<string[]>;
    allInnerTexts(): Promise<string[]>;

    /** Runs \`fn\` in the page with the first matching element. The function cannot use closures: pass values through \`arg\`. */
    evaluate<R extends JsonValue | void, A extends JsonValue = null, E extends Element = HTMLElement>(fn: (element: E, arg: A) => R | Promise<R>, arg?: A): Promise<R>;
    /** Runs \`fn\` in the page with every matching element. */
    evaluateAll<R extends JsonValue | void, A extends JsonValue = null, E extends Element = HTMLElement>(fn: (elements: E[], arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  }

  export interface GotoOptions {
    timeout?: number;
    waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit';
    referer?: string;
  }

  /** Playwright's Page, the subset webtasks bridges. Same names, same semantics. */
  export interface Page {
    /** Navigate. Returns null (the response object is not bridged). */
    goto(url: string, options?: GotoOptions): Promise<null>;
    reload(options?: GotoOptions): Promise<null>;
    goBack(options?: GotoOptions): Promise<null>;
    goForward(options?: GotoOptions): Promise<null>;
    url(): Promise<string>;
    title(): Promise<string>;
    content(): Promise<string>;

    locator(selector: string, options?: LocatorOptions): Locator;
    getByRole(role: AriaRole, options?: GetByRoleOptions): Locator;
    getByText(text: string | RegExp, options?: TextOptions): Locator;
    getByLabel(text: string | RegExp, options?: TextOptions): Locator;
    getByPlaceholder(text: string | RegExp, options?: TextOptions): Locator;
    getByAltText(text: string | RegExp, options?: TextOptions): Locator;
    getByTitle(text: string | RegExp, options?: TextOptions): Locator;
    getByTestId(testId: string | RegExp): Locator;

    waitForURL(url: string | RegExp, options?: { timeout?: number; waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit' }): Promise<void>;
    waitForLoadState(state?: 'load' | 'domcontentloaded' | 'networkidle', options?: { timeout?: number }): Promise<void>;
    waitForSelector(selector: string, options?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<null>;
    waitForTimeout(ms: number): Promise<void>;

    /** Runs \`fn\` in the page. The function cannot use closures: pass values through \`arg\`. */
    evaluate<R extends JsonValue | void, A extends JsonValue = null>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
    $eval<R extends JsonValue | void, A extends JsonValue = null, E extends Element = HTMLElement>(selector: string, fn: (element: E, arg: A) => R | Promise<R>, arg?: A): Promise<R>;
    $$eval<R extends JsonValue | void, A extends JsonValue = null, E extends Element = HTMLElement>(selector: string, fn: (elements: E[], arg: A) => R | Promise<R>, arg?: A): Promise<R>;

    keyboard: {
      press(key: string, options?: { delay?: number }): Promise<void>;
      type(text: string, options?: { delay?: number }): Promise<void>;
    };
    mouse: {
      wheel(deltaX: number, deltaY: number): Promise<void>;
    };
  }

  /** A file stored by webtasks. Put it in the output to hand it to the caller. */
  export interface FileRef {
    /** Stable id of the stored file. */
    fileId: string;
    name: string;
    contentType: string;
    sizeBytes: number;
    /** SHA-256 of the bytes, lowercase hex. */
    sha256: string;
    /** Where the file came from. */
    sourceUrl: string;
  }

  export interface Files {
    /** Click the element and store the file the click downloads (blob: URLs, files built in the page). */
    downloadFromClick(locator: Locator, options?: { name?: string; timeout?: number }): Promise<FileRef>;
    /**
     * Download a URL (absolute, or relative to the current page) and store it. No browser
     * download: the file is fetched with the page's cookies and streams to storage, so many
     * can run at once (Promise.all); the browser adapter bounds how many.
     */
    download(url: string, options?: { name?: string; timeout?: number }): Promise<FileRef>;
  }

  /** Model helpers for what code cannot do. Each call is billed to the run: prefer code. */
  export interface Ai {
    /** Extract data matching a JSON Schema from text or HTML. */
    extract<T extends JsonValue = JsonValue>(options: { input: string; schema: object; instructions?: string }): Promise<T>;
    /** Pick the best label for a text. */
    classify<L extends string>(options: { input: string; labels: L[]; instructions?: string }): Promise<L>;
  }

  export interface Log {
    debug(...values: unknown[]): void;
    info(...values: unknown[]): void;
    warn(...values: unknown[]): void;
    error(...values: unknown[]): void;
  }

  /**
   * Secrets of the task (the request's \`secrets\` and the workspace's stored ones). Reading
   * \`ctx.secrets.password\` gives a placeholder, \`«secret:password»\`, that the engine replaces
   * with the value only when it reaches the browser (fill, type, goto…): pass it to the page as
   * it is, never log or return it. \`totp(name)\` gives the current 6-digit two-factor code of a
   * stored TOTP seed.
   */
  export type Secrets = { readonly [name: string]: string } & {
    totp(name: string): Promise<string>;
  };

  /** What a bundle's \`run\` receives. */
  export interface TaskContext<Params extends { [key: string]: JsonValue } = { [key: string]: any }> {
    page: Page;
    /** The run's parameters. Read inputs from here; never hard-code them. */
    params: Params;
    files: Files;
    ai: Ai;
    log: Log;
    secrets: Secrets;
  }
}
`;
