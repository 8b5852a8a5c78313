/** Help texts: `webtasks --help` and `webtasks <command> --help`. */

const EXIT_CODES = `Exit codes:
  0  success (a task completed with outcome success)
  1  the task failed, or a bundle was refused (does not compile)
  2  usage error: bad flags, arguments or JSON, or missing configuration
  3  not found: no such task, bundle or version
  4  server or network error
  130 interrupted (Ctrl-C)`;

export const MAIN_HELP = `webtasks — repeatable web tasks: an AI agent writes Playwright-style code once, saved
under a reuse key; later runs execute the saved code with no model calls.

Usage: webtasks <command> [flags]

Commands:
  run "<task>"              run a task in this process (no server), with live progress
  start "<task>"            start a task on a webtasks server
  result <webTaskId>        read (or wait for) a task's result from a server
  serve                     start the webtasks server (HTTP API + worker) from the environment
  bundles <subcommand>      manage saved code in the local data dir:
                            list, show, history, diff, rollback, import, export, delete

Flags of every command:
  --json                    machine-readable output on stdout
  -h, --help                help of the command

Environment:
  ANTHROPIC_API_KEY         enables exploring and repairing with Anthropic models
  WEBTASKS_DATA_DIR         local data dir (default ./.webtasks)
  WEBTASKS_BASE_URL, WEBTASKS_API_KEY, WEBTASKS_WORKSPACE_ID   server commands
  (see \`webtasks run --help\` and the README for the rest)

${EXIT_CODES}`;

export const RUN_HELP = `Usage: webtasks run "<task>" [flags]

Runs the task in this process: Chromium, isolated-vm sandboxes and the filesystem stores in
the data dir; no server. Progress goes to stderr, the output to stdout. With a reuse key
whose saved code works, the run makes no model calls.

Flags:
  --start-url URL           where the agent starts
  --params JSON             parameters as a JSON object, e.g. '{"batch":"S24"}'
  --param key=value         one parameter (repeatable); the value is JSON when it parses, else text
  --schema FILE|JSON        JSON Schema (2020-12) of the output, inline or a file
  --reuse-key KEY           label of the reusable automation (generated when absent)
  --model haiku|sonnet|opus model for exploring and repairing (default haiku)
  --workspace ID            workspace of the saved code (default "local")
  --data-dir DIR            data dir (default $WEBTASKS_DATA_DIR or ./.webtasks)
  --allow-host HOST         let the browser reach a private or loopback host, e.g.
                            127.0.0.1:8080 (repeatable; loopback is denied by default)
  --timeout SECONDS         give up after this long (default 600)
  -v, --verbose             engine logs on stderr
  --json                    print the whole result object as JSON

Environment:
  ANTHROPIC_API_KEY         Anthropic key; without a model only saved code can run
  WEBTASKS_ANTHROPIC_BASE_URL (or ANTHROPIC_BASE_URL)  another Messages API origin
  WEBTASKS_OPENAI_BASE_URL  use an OpenAI-compatible server instead (URL ending in /v1),
  WEBTASKS_OPENAI_MODEL     with this served model id,
  WEBTASKS_OPENAI_API_KEY   and this key if it wants one
  WEBTASKS_CHROMIUM_PATH    Chromium binary (default /usr/bin/chromium)

${EXIT_CODES}`;

const SERVER_FLAGS = `  --base-url URL            server URL (default $WEBTASKS_BASE_URL)
  --api-key KEY             workspace API key (default $WEBTASKS_API_KEY)
  --workspace ID            workspace (default $WEBTASKS_WORKSPACE_ID)
  --json                    print the answer as JSON`;

export const START_HELP = `Usage: webtasks start "<task>" [flags]

Starts a task on a webtasks server and prints its id; read it with \`webtasks result\`.

Flags:
  --start-url URL, --params JSON, --param key=value, --schema FILE|JSON,
  --reuse-key KEY, --model haiku|sonnet|opus    as for \`webtasks run\`
  --wait SECONDS            wait up to this long for the result and print it
${SERVER_FLAGS}

${EXIT_CODES}`;

export const RESULT_HELP = `Usage: webtasks result <webTaskId> [--wait SECONDS] [flags]

Prints a task's result. With --wait the server holds the request until the task completes
or the time passes.

Flags:
  --wait SECONDS            long-poll up to this long
${SERVER_FLAGS}

${EXIT_CODES}`;

export const SERVE_HELP = `Usage: webtasks serve [--port N] [--host HOST]

Starts the webtasks server: HTTP API and worker in one process (WEBTASKS_ROLE, default both),
with adapters chosen by environment variables as the server's README (apps/server) documents:
WEBTASKS_API_KEYS=workspace:key (required), ANTHROPIC_API_KEY, WEBTASKS_DATA_DIR,
WEBTASKS_STORE, WEBTASKS_EGRESS_ALLOW_HOSTS, … Ctrl-C stops it gracefully.

Flags:
  --port N                  port (default $WEBTASKS_PORT or 8080)
  --host HOST               interface (default $WEBTASKS_HOST or 127.0.0.1)

${EXIT_CODES}`;

export const BUNDLES_HELP = `Usage: webtasks bundles <subcommand> [flags]

Manage saved code (bundles) in the local data dir.

Subcommands:
  list [--prefix P]                          reuse keys and their latest version
  show KEY [--version N]                     source and output schema of a version
  history KEY                                every version, newest first
  diff KEY FROM TO                           unified diff between two versions
  rollback KEY VERSION                       save a copy of VERSION as the newest version
  import KEY FILE.ts --schema FILE.json [--task TEXT] [--start-url URL]
                                             check, compile and save your own code
  export KEY [--version N] [--out FILE]      write a standalone Playwright script
  delete KEY --yes                           delete every version of KEY

Flags of every subcommand:
  --workspace ID            workspace (default "local")
  --data-dir DIR            data dir (default $WEBTASKS_DATA_DIR or ./.webtasks)
  --json                    machine-readable output

${EXIT_CODES}`;
