export {
  createFakeBrowserProvider,
  type FakeBrowserProvider,
  type FakeElement,
  type FakePage,
  type FakeSite,
} from './fake-browser.js';
export { createFakeCompiler } from './fake-compiler.js';
export { createFakeSandbox } from './fake-sandbox.js';
export {
  createScriptedLanguageModel,
  type ModelScript,
  type ScriptedLanguageModel,
  type ScriptedReply,
  text,
  toolCall,
} from './scripted-model.js';
export { createScriptedModelHarness } from './scripted-model-harness.js';
