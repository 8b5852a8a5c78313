#!/usr/bin/env node
/**
 * `node dist/hash-key.js <workspaceId> [apiKey]`: print the line to append to the
 * WEBTASKS_API_KEYS_FILE for a key. Without `apiKey`, a new random key is generated and
 * printed once on stderr: give it to the workspace owner, it is not stored anywhere.
 */
import { generateApiKey, hashApiKey, WORKSPACE_ID_PATTERN } from './api-keys.js';

const [workspaceId, given] = process.argv.slice(2);
if (workspaceId === undefined || !WORKSPACE_ID_PATTERN.test(workspaceId)) {
  console.error('usage: hash-key <workspaceId> [apiKey]   (workspace ids: letters, digits, "_", "-", ".")');
  process.exit(2);
}
const apiKey = given ?? generateApiKey();
if (given === undefined) console.error(`API key for ${workspaceId} (shown once, keep it secret): ${apiKey}`);
console.log(JSON.stringify({ workspaceId, keyHash: hashApiKey(apiKey) }));
