import { bundleWithBody, RUN_BODY_FIRST_LINE } from './sample-bundles.js';

/** A construct every compiler must refuse with a `webtasks/*` diagnostic on `line`. */
export interface ForbiddenConstruct {
  title: string;
  source: string;
  line: number;
}

const body = (statement: string): string => bundleWithBody(statement);
const topLevel = (declaration: string): string => bundleWithBody('', declaration);

/** Constructs bundle code may not use, each in a bundle, with the line to report. */
export const FORBIDDEN_CONSTRUCTS: ForbiddenConstruct[] = [
  { title: "an import from 'node:fs'", source: topLevel("import fs from 'node:fs';"), line: 2 },
  { title: 'an import of playwright', source: topLevel("import { chromium } from 'playwright';"), line: 2 },
  { title: 'require', source: body("const fs = require('fs');"), line: RUN_BODY_FIRST_LINE },
  { title: 'process', source: body('const key = process.env.KEY;'), line: RUN_BODY_FIRST_LINE },
  { title: 'dynamic import()', source: body("const fs = await import('fs');"), line: RUN_BODY_FIRST_LINE },
  { title: 'eval', source: body("const two = eval('1 + 1');"), line: RUN_BODY_FIRST_LINE },
  { title: 'new Function', source: body("const f = new Function('return 1');"), line: RUN_BODY_FIRST_LINE },
  { title: 'globalThis', source: body('const g = globalThis;'), line: RUN_BODY_FIRST_LINE },
  {
    title: 'constructor.constructor',
    source: body("const f = ctx.log.info.constructor('return 1');"),
    line: RUN_BODY_FIRST_LINE,
  },
  { title: '__proto__', source: body('const p = ({} as any).__proto__;'), line: RUN_BODY_FIRST_LINE },
  {
    title: 'fetch outside page.evaluate',
    source: body("await fetch('https://example.test/');"),
    line: RUN_BODY_FIRST_LINE,
  },
  {
    title: 'document outside page.evaluate',
    source: body('const t = document.title;'),
    line: RUN_BODY_FIRST_LINE,
  },
  {
    title: 'window outside page.evaluate',
    source: body('const w = window.innerWidth;'),
    line: RUN_BODY_FIRST_LINE,
  },
  {
    title: 'localStorage outside page.evaluate',
    source: body("localStorage.getItem('k');"),
    line: RUN_BODY_FIRST_LINE,
  },
  { title: 'XMLHttpRequest', source: body('const x = new XMLHttpRequest();'), line: RUN_BODY_FIRST_LINE },
  {
    title: 'setTimeout',
    source: body('await new Promise((r) => setTimeout(r, 100));'),
    line: RUN_BODY_FIRST_LINE,
  },
  { title: 'debugger', source: body('debugger;'), line: RUN_BODY_FIRST_LINE },
  {
    title: 'a missing default export',
    source: "import type { TaskContext } from 'webtasks:runtime';\n",
    line: 1,
  },
  {
    title: 'a second default export',
    source: `${bundleWithBody('')}export { run as default };\n`,
    line: 7,
  },
  {
    title: 'a default export that does not take the context',
    source: 'export default async function run(url: string, limit: number) {\n  return url;\n}\n',
    line: 1,
  },
];
