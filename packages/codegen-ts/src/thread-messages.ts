import type { CompileResult, ErrorCode } from '@webtasks/core';

/** What the compiler thread is started with (settings as plain data). */
export interface CompilerWorkerData {
  settings: { maxSourceBytes: number; maxDiagnostics: number; allowedGlobals: string[] };
  runtimeDeclarations: string;
}

/** A request to the compiler thread. */
export type CompilerRequest = { id: number } & CompilerJob;

/** The work a request asks for. */
export type CompilerJob = { type: 'compile'; source: string } | { type: 'warm-up' };

/** The compiler thread's answer to one request. */
export type CompilerReply =
  | { id: number; result?: CompileResult; error?: undefined }
  | { id: number; error: { code: ErrorCode; message: string }; result?: undefined };
