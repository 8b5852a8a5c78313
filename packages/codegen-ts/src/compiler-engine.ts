// Everything of the compiler that needs ts-morph, behind one module so `createTsMorphCompiler`
// can load it on the first compile: a process that only runs stored JavaScript never does.
export { compileWithProject, precheck } from './compile-bundle.js';
export { flattenMessage } from './type-diagnostics.js';
export { createWarmProject } from './warm-project.js';
