export { checkRuntimeDeclarations } from './check-runtime-declarations.js';
export {
  createTsMorphCompiler,
  type TsMorphCodeCompiler,
  type TsMorphCompilerOptions,
} from './ts-morph-compiler.js';
