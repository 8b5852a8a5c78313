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
  mcp                       serve the saved automations as MCP tools on stdio (for AI assistants)
  bundles <subcommand>      manage saved code in the local data dir (or a server with --base-url):
                            list, show, history, diff, rollback, import, export, delete, types
  runs <subcommand>         look at and steer runs in the local data dir (or a server with --base-url):
                            list, show, logs, trace, cancel
  secrets <subcommand>      workspace secrets, sealed with WEBTASKS_SECRETS_KEY: set, list, delete
  auth <subcommand>         logged-in browser sessions (Playwright storage states): import, list, delete

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
  --proxy URL               send the browser's traffic through this proxy
                            (http://user:pass@host:port, https://… or socks5://…)
  --trace                   keep the Playwright trace of the run (see webtasks runs trace)
  --secret NAME=VALUE       a secret code reads as ctx.secrets.NAME (repeatable); never printed
  --secret NAME             the same, the value read from the environment variable NAME
                            (keeps it out of shell history: read -s NAME; export NAME)
  --auth-session NAME       start the browser signed in, from a stored auth session
                            (webtasks auth import; needs WEBTASKS_SECRETS_KEY)
  --workspace ID            workspace of the saved code (default "local")
  --data-dir DIR            data dir (default $WEBTASKS_DATA_DIR or ./.webtasks)
  --allow-host HOST         let the browser reach a private or loopback host, e.g.
                            127.0.0.1:8080 (repeatable; loopback is denied by default)
  --timeout SECONDS         give up after this long (default 600)
  --download DIR            write the files the task downloaded into DIR (SHA-256 checked)
  -v, --verbose             engine logs on stderr
  --json                    print the whole result object as JSON

Environment (the server's, every variable in docs/configuration.md; flags win):
  ANTHROPIC_API_KEY         Anthropic key; without a model only saved code can run
  ANTHROPIC_BASE_URL        another Messages API origin
  WEBTASKS_MODEL_PROVIDER=openai, OPENAI_BASE_URL, WEBTASKS_MODELS, OPENAI_API_KEY
                            an OpenAI-compatible server instead (URL ending in /v1, the
                            served model id, its key if it wants one)
  WEBTASKS_CHROMIUM_PATH    Chromium binary (default /usr/bin/chromium, else Playwright's)
  WEBTASKS_STORE, WEBTASKS_BLOBS, WEBTASKS_PROXY, WEBTASKS_TRACE, …  as for the server

${EXIT_CODES}`;

const SERVER_FLAGS = `  --base-url URL            server URL (default $WEBTASKS_BASE_URL)
  --api-key KEY             workspace API key (default $WEBTASKS_API_KEY)
  --workspace ID            workspace (default $WEBTASKS_WORKSPACE_ID)
  --json                    print the answer as JSON`;

export const START_HELP = `Usage: webtasks start "<task>" [flags]

Starts a task on a webtasks server and prints its id; read it with \`webtasks result\`.

Flags:
  --start-url URL, --params JSON, --param key=value, --schema FILE|JSON,
  --reuse-key KEY, --model haiku|sonnet|opus, --proxy URL, --trace,
  --secret NAME[=VALUE], --auth-session NAME
                            as for \`webtasks run\` (the session is the server's)
  --wait SECONDS            wait up to this long for the result and print it
${SERVER_FLAGS}

${EXIT_CODES}`;

export const RESULT_HELP = `Usage: webtasks result <webTaskId> [--wait SECONDS] [--download DIR] [flags]

Prints a task's result. With --wait the server holds the request until the task completes
or the time passes.

Flags:
  --wait SECONDS            long-poll up to this long
  --download DIR            write the files the task downloaded into DIR, each checked
                            against its SHA-256 (signed URLs last 7 days)
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

export const MCP_HELP = `Usage: webtasks mcp [flags]

Serves the Model Context Protocol on stdin/stdout, for MCP clients such as Claude Desktop or
Claude Code, on the embedded engine of \`webtasks run\` (same data dir and model settings).
Tools: run_web_task, get_web_task_result, list_automations, and one tool per saved reuse key
of the workspace (no model call while the site is unchanged). Stdout carries only the
protocol; messages go to stderr. Ends when the client closes stdin.

Flags:
  --workspace ID            workspace of the saved code (default "local")
  --data-dir DIR            data dir (default $WEBTASKS_DATA_DIR or ./.webtasks)
  --allow-host HOST         let the browser reach a private or loopback host (repeatable)
  --timeout SECONDS         per-task time limit (default 600)
  -v, --verbose             engine logs on stderr

Environment: as for \`webtasks run\` (ANTHROPIC_API_KEY, OPENAI_BASE_URL, …; docs/configuration.md).

${EXIT_CODES}`;

export const BUNDLES_HELP = `Usage: webtasks bundles <subcommand> [flags]

Manage saved code (bundles) in the local data dir, or on a server with --base-url.

Subcommands:
  list [--prefix P]                          reuse keys and their latest version
  show KEY [--version N]                     source, output and parameter schema of a version
  history KEY                                every version, newest first
  diff KEY FROM TO                           unified diff between two versions
  rollback KEY VERSION                       save a copy of VERSION as the newest version
  import KEY FILE.ts --schema FILE.json [--params-schema FILE.json] [--task TEXT] [--start-url URL]
         [--param K=V …] [--params JSON] [--allow-host HOST] [--no-verify] [--side-effects]
                                             check, compile and save your own code; it is
                                             run once first with the given parameters and
                                             refused when that fails or returns an empty list
                                             (--no-verify skips the run; --side-effects marks
                                             code that changes the site: never run to verify
                                             or replayed). --params-schema: JSON Schema every
                                             run's parameters are checked against
  export KEY [--version N] [--out FILE]      write a standalone Playwright script
  delete KEY --yes                           delete every version of KEY
  types [--out DIR]                          write webtasks-runtime.d.ts (the 'webtasks:runtime'
                                             declaration) so editors resolve bundle imports
  policy KEY [auto|review|off]               show or set how repairs go live: auto (at once),
                                             review (saved as proposed until approved), off
                                             (no repairs: the failure is reported)
  approve KEY VERSION                        make a proposed version active
  reject KEY VERSION                         reject a proposed version: runs never use it
  pin KEY VERSION                            runs use VERSION whatever is saved later
  unpin KEY                                  runs use the newest active version again

Flags of every subcommand:
  --workspace ID            workspace (default "local"; on a server $WEBTASKS_WORKSPACE_ID)
  --data-dir DIR            data dir (default $WEBTASKS_DATA_DIR or ./.webtasks)
  --base-url URL            manage the bundles of a server instead (with --api-key or $WEBTASKS_API_KEY)
  --json                    machine-readable output

${EXIT_CODES}`;

export const RUNS_HELP = `Usage: webtasks runs <subcommand> [flags]

Look at and steer runs (web tasks): in the local data dir, or on a server with --base-url.

Subcommands:
  list [--status S] [--reuse-key K] [--since ISO] [--limit N] [--cursor C]
                                             runs, newest first (the next page's --cursor is printed)
  show ID                                    phases, attempts with their errors, model calls, artifacts
  logs ID                                    the run's log lines (the last 1,000 / 256 KiB are kept)
  trace ID [--out FILE]                      save the Playwright trace (runs started with --trace or
                                             "debug": {"trace": true}); open it with npx playwright show-trace
  cancel ID                                  cancel a pending or running task; nothing is saved

Flags of every subcommand:
  --workspace ID            workspace (default "local"; on a server $WEBTASKS_WORKSPACE_ID)
  --data-dir DIR            data dir (default $WEBTASKS_DATA_DIR or ./.webtasks)
  --base-url URL            a server instead (with --api-key or $WEBTASKS_API_KEY)
  --json                    machine-readable output

${EXIT_CODES}`;

const STORE_FLAGS = `Where:
  --data-dir DIR            the local data dir (default WEBTASKS_DATA_DIR or ./.webtasks); needs
                            WEBTASKS_SECRETS_KEY (32 random bytes as base64: openssl rand -base64 32)
  --base-url URL            a server instead (with --api-key and --workspace, or their WEBTASKS_* variables)
  --workspace ID            the workspace (default "local" in a data dir)
  --json                    machine-readable output`;

export const SECRETS_HELP = `webtasks secrets — secrets tasks read as ctx.secrets.NAME (never shown to the model, never saved in code)

Usage:
  webtasks secrets set NAME --from-file FILE   store the file's content (one trailing newline dropped)
  webtasks secrets set NAME --from-env VAR     store the value of an environment variable
  webtasks secrets list                        names and update times (never values)
  webtasks secrets delete NAME --yes

A two-factor seed stored as a secret gives codes with ctx.secrets.totp('NAME').

${STORE_FLAGS}`;

export const AUTH_HELP = `webtasks auth — logged-in browser sessions a request uses with "auth": {"session": "NAME"}

Usage:
  webtasks auth import NAME state.json   import a Playwright storage state (context.storageState({ path }))
  webtasks auth import NAME [state.json] --login-key KEY --check-url URL [--check-selector CSS]
                                         a session that signs in again by itself: before each task the
                                         check URL is opened; when it fails, the saved login bundle KEY
                                         runs (with the task's secrets, no model) and its state is kept
  webtasks auth import NAME [state.json] --login-key KEY --check-key KEY
                                         the same with a check bundle instead of a URL: saved code run
                                         with the session (no model) that returns true when signed in
                                         and false when not (a throw fails the task with its cause)
  webtasks auth list                     names, cookie counts and origins (never cookies)
  webtasks auth delete NAME --yes

A successful task saves the cookies it refreshed back into the session.

${STORE_FLAGS}`;
