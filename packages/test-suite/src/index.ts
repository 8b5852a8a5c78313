// Each area has its own barrel so that adapters' suites, fakes and fixture sites can grow
// independently. Import everything from `@webtasks/test-suite`.
export * from './contracts/browser.js';
export * from './contracts/compiler.js';
export * from './contracts/language-model.js';
export * from './contracts/sandbox.js';
export * from './contracts/stores.js';
export * from './fake-apis/index.js';
export * from './fakes/index.js';
export * from './services/index.js';
export * from './sites/index.js';
