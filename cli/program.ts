// The command line. Each command's code is imported when the command runs, not here:
// `replay --help` and every command pay only for what they use (Docker's client alone
// took ~250 ms to load).
import path from "node:path";
import { Command, CommanderError } from "commander";
import { ReplayError, UsageError, formatProblem } from "../common/index.js";
import { forgoPrestart } from "../common/prestart.js";
import type * as CacheCommands from "./commands/cache-command.js";
import type * as ImagesCommands from "./commands/images-command.js";
import type { ImagesCommandContext } from "./commands/images-command.js";
import type { DiffFlags } from "./commands/diff-command.js";
import { addHookCommands } from "./hook/index.js";
import { addReplayOptions, replayOptionsOf, reportersFor } from "./replay-flags.js";
import type { GlobalOptions, ReplayFlags } from "./replay-flags.js";
import type { BreakAt } from "./stepping/index.js";
import { DEFAULT_GITHUB_URL, collect, replayRunIdArg, runIdArg, shaArg } from "./option-args.js";
// The run session's error events, not the runners index: this file loads with every command.
import { errorEventLine, errorWasEmitted } from "../runners/run-session.js";

async function runReplay(global: GlobalOptions, flags: ReplayFlags, job: string | undefined, debug: { breakAt?: BreakAt[] } = {}): Promise<number> {
  let runId: string | undefined;
  // The repository's git questions are processes of their own: they are asked while the
  // replay's code loads (~100 ms of compiling on one thread), not after. Their answer,
  // or error, is taken where the replay reads the repository. (repo-info.js itself, not
  // the runners index, which would compile all of runners before the first question.)
  const repoInfo = import("../runners/repo-info.js").then((m) => m.readRepoInfo(global.dir, { githubUrl: flags.githubUrl }));
  repoInfo.catch(() => undefined);
  const [{ prepareInteractive }, { replayCommand }, { prepareCopyBack }] = await Promise.all([import("./tui/index.js"), import("./commands/replay-command.js"), import("./commands/copy-back.js")]);
  const copyBack = prepareCopyBack(flags, { debug: debug.breakAt !== undefined });
  // The interactive screen and stepping when a person is at a terminal; plain output otherwise.
  const interactive = await prepareInteractive(flags, debug.breakAt ? { breakAt: debug.breakAt } : {});
  const exitCode = await replayCommand({
    ...replayOptionsOf(global, flags, job),
    reporters: interactive?.reporters ?? (await reportersFor(flags)),
    ...(interactive ? { control: interactive.control, signal: interactive.signal, onPlan: interactive.onPlan } : {}),
    onRunId: (id) => (runId = id),
    repoInfo,
    ...(copyBack ? { copyBack: copyBack.ledger } : {}),
  }).finally(() => interactive?.dispose());
  await copyBack?.finish();
  if (!flags.diff) return exitCode;
  const { diffAfterReplay } = await import("./commands/diff-command.js");
  return diffAfterReplay(global.dir, runId, exitCode, flags.json);
}

/** The commands whose first job container the CLI's entry may start early (common/prestart.ts): not `mcp`, which waits to be asked. */
const REPLAYS_AT_ONCE = new Set(["job", "run", "watch", "debug", "hook run"]);

function commandPath(c: Command): string {
  const names: string[] = [];
  for (let at: Command | null = c; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(" ");
}

/** Builds the program; `exit` receives the command's exit status; `entry` is the CLI's main.js. */
export function buildProgram(exit: (code: number) => void, entry: string): Command {
  const program = new Command("replay")
    .description("Run a repository's GitHub Actions CI on your own machine, exactly, before the push.")
    .option("-C, --dir <dir>", "run as if started in <dir>", process.cwd())
    .option("--context <name>", "the Docker context whose engine replay uses (as `docker --context`; wins over DOCKER_HOST and DOCKER_CONTEXT)")
    .showHelpAfterError("(run `replay --help` for usage)")
    .exitOverride()
    // Every command finds its engine from the environment; the flag travels there.
    .hook("preAction", (root, action) => {
      const context = root.opts<{ context?: string }>().context;
      if (context !== undefined) process.env["REPLAY_DOCKER_CONTEXT"] = context;
      // Only a command that replays at once adopts or keeps a job container the entry starts.
      if (!REPLAYS_AT_ONCE.has(commandPath(action))) forgoPrestart();
    });

  const global = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command("list")
    .description("list workflows, their events, jobs, needs and every matrix cell")
    .option("-w, --workflow <path>", "a workflow file or folder")
    .option("--json", "print JSON", false)
    .action(async (flags: { workflow?: string; json: boolean }) => {
      const [{ loadRepo }, { listWorkflows, printList }] = await Promise.all([import("./load-repo.js"), import("./commands/list-command.js")]);
      const { loaded } = await loadRepo(global().dir, flags.workflow);
      const listed = listWorkflows(loaded.workflows);
      if (flags.json) process.stdout.write(`${JSON.stringify({ workflows: listed, problems: loaded.problems }, null, 2)}\n`);
      else printList(listed, loaded.problems, process.stdout);
      exit(0);
    });

  program
    .command("mcp")
    .description("serve the Model Context Protocol over stdio for coding agents: list, validate, run, logs, diff (see docs/agents.md)")
    .action(async () => (await import("./commands/mcp-command.js")).mcpCommand(global().dir));

  program
    .command("validate")
    .description("report every problem in the workflows and their calls of this repository's reusable workflows, with file:line:col; exit 2 if any")
    .option("-w, --workflow <path>", "a workflow file or folder")
    .option("--json", "print JSON", false)
    .action(async (flags: { workflow?: string; json: boolean }) => {
      const { validateWorkflows } = await import("./commands/validate-command.js");
      const { files, valid, problems: found } = await validateWorkflows(global().dir, flags.workflow);
      if (flags.json) {
        const problems = found.map((p) => ({ ...p, text: formatProblem(p) }));
        process.stdout.write(`${JSON.stringify({ files, valid, problems }, null, 2)}\n`);
      } else {
        process.stdout.write(`${files.length} workflow file(s): ${valid} valid, ${files.length - valid} with problems (${found.length} problem(s))\n`);
      }
      // Problems always go to stderr too, one `file:line:col: message` a line.
      for (const p of found) process.stderr.write(`${formatProblem(p)}\n`);
      exit(found.length ? 2 : 0);
    });

  addReplayOptions(
    program
      .command("job")
      .description("replay one job (every matrix cell, or those --matrix selects) and the jobs it needs")
      .argument("<job>", "the job id"),
  ).action(async (job: string, flags: ReplayFlags) => exit(await runReplay(global(), flags, job)));

  addReplayOptions(
    program.command("run").description("replay every workflow the event triggers (default: push)"),
  ).action(async (flags: ReplayFlags) => exit(await runReplay(global(), flags, undefined)));

  addReplayOptions(
    program
      .command("watch")
      .description("replay again on each change of the working tree: the jobs named, or every job a push of the changed files triggers")
      .argument("[job...]", "job ids (default: the jobs a push of the changed files triggers, by the workflows' branches and paths filters)"),
  ).action(async (jobs: string[], flags: ReplayFlags) => {
    const refused = flags.json ? "--json" : flags.diff ? "--diff" : flags.step || flags.breakOnFailure || flags.breakAt.length ? "stepping (--step, --break-on-failure, --break-at)" : undefined;
    if (refused) throw new UsageError(`replay watch does not take ${refused}`, "use `replay job` for it");
    const { watchCommand } = await import("./commands/watch-command.js");
    exit(await watchCommand({ replay: replayOptionsOf(global(), flags, undefined), jobs, tui: flags.tui }));
  });

  addReplayOptions(
    program
      .command("debug")
      .description("replay the failed job of a recorded replay (.replay/runs), paused before the step that failed")
      .argument("[run-id]", "the recorded replay (a folder of .replay/runs/; default: the newest)")
      .option("--last-failed", "the newest recorded replay in which a step failed", false),
  ).action(async (runId: string | undefined, flags: ReplayFlags & { lastFailed: boolean }, cmd: Command) => {
    const { debugFlags, findDebugTarget } = await import("./commands/debug-command.js");
    const target = await findDebugTarget(global().dir, { ...(runId === undefined ? {} : { runId }), lastFailed: flags.lastFailed });
    process.stderr.write(`${target.description}\n`);
    const given = (name: string): boolean => cmd.getOptionValueSource(name) === "cli";
    exit(await runReplay(global(), debugFlags(flags, target, given), target.job, { breakAt: [target.breakAt] }));
  });

  program
    .command("diff")
    .description("set a recorded replay beside the newest completed CI run of its workflow: results, toolchains, differing log lines")
    .argument("[run-id]", "the recorded replay (a folder of .replay/runs/; default: the newest)")
    .option("--repo <owner/name>", "the GitHub repository (default: from the origin remote)")
    .option("--api-url <url>", "the REST API; https://HOST/api/v3 for GitHub Enterprise Server (default: $GITHUB_API_URL or https://api.github.com)")
    .option("--ci-run <id>", "compare with this CI run", runIdArg)
    .option("--ci-sha <sha>", "compare with the newest completed CI run of this commit", shaArg)
    .option("--branch <name>", "compare with the newest completed CI run on this branch (default: the replay's)")
    .option("--ci-export <dir>", "read the CI run from `gh run view --json jobs` output and logs in <dir> instead of the API")
    .option("--offline", "use only CI runs fetched before (kept in .replay/ci/)", false)
    .option("--json", "print the report as JSON", false)
    .action(async (runId: string | undefined, flags: DiffFlags) => {
      const { defaultDiffDeps, diffCommand, diffOptions } = await import("./commands/diff-command.js");
      exit(await diffCommand(diffOptions(global().dir, runId, flags, process.env), defaultDiffDeps(flags.json), flags.json));
    });

  program
    .command("gc")
    .description("remove every container, network and volume replay left behind (crashed or killed runs)")
    .option("--run <id>", "only this run's (a folder of .replay/runs/), whether its replay still runs or not", replayRunIdArg)
    .option("--engine <context|url>", "clean this engine too (repeatable; .replay.yml's engines: are cleaned anyway)", collect, [])
    .action(async (flags: { run?: string; engine: string[] }) => {
      const { gcCommand } = await import("./commands/gc-command.js");
      exit(await gcCommand(global().dir, flags.run, flags.engine, (t) => void process.stdout.write(t), (t) => void process.stderr.write(t)));
    });

  // Remote actions: cloned into ~/.cache/replay/actions, keyed by commit.
  const actions = program.command("actions").description("fetch the remote actions the workflows use into replay's action cache");
  actions
    .command("vendor")
    .description("fetch every remote action the repository's workflows use (and those their composite actions use), for --offline replays")
    .option("-w, --workflow <path>", "a workflow file or folder")
    .option("--github-url <url>", "where remote actions are cloned from (<url>/<owner>/<repo>.git)", DEFAULT_GITHUB_URL)
    .option("--no-builtin <action>", "fetch this action too although replay has it built in (repeatable)", collect, [])
    .option("--json", "print JSON", false)
    .action(async (flags: { workflow?: string; githubUrl: string; builtin: string[]; json: boolean }) => {
      const { actionsVendor } = await import("./commands/actions-command.js");
      exit(
        await actionsVendor({
          dir: global().dir,
          githubUrl: flags.githubUrl,
          noBuiltin: flags.builtin,
          json: flags.json,
          ...(flags.workflow === undefined ? {} : { workflow: flags.workflow }),
        }),
      );
    });

  // Caches: what actions/cache saved in replays, in ~/.cache/replay/caches (REPLAY_CACHE_DIR).
  const caches = (): Promise<typeof CacheCommands> => import("./commands/cache-command.js");
  const cache = program.command("cache").description("list and remove the cache entries replays saved (actions/cache, setup-node's cache:)");
  cache
    .command("ls")
    .description("list this repository's cache entries, most recently used first")
    .option("-k, --key <prefix>", "only entries whose key starts with this")
    .option("--all-repos", "entries of every repository", false)
    .option("--json", "print JSON", false)
    .action(async (flags: { key?: string; allRepos: boolean; json: boolean }) =>
      exit(await (await caches()).cacheLs({ dir: global().dir, allRepos: flags.allRepos, json: flags.json, ...(flags.key === undefined ? {} : { key: flags.key }) })),
    );
  cache
    .command("rm")
    .description("remove this repository's entries whose key starts with <prefix> (or all of them with --all)")
    .argument("[prefix]", "a key prefix")
    .option("--all", "every entry of this repository", false)
    .action(async (prefix: string | undefined, flags: { all: boolean }) => exit(await (await caches()).cacheRm({ dir: global().dir, all: flags.all, ...(prefix === undefined ? {} : { prefix }) })));
  cache
    .command("prune")
    .description("remove entries unused for a while, then the least recently used beyond a size per repository (GitHub's 7 days and 10 GB by default)")
    .option("--older-than <age>", "unused for longer than this: 7d, 12h, 30m, 2w", "7d")
    .option("--max-size <size>", "keep at most this much per repository: 10GB, 500MB", "10GB")
    .action(async (flags: { olderThan: string; maxSize: string }) => exit(await (await caches()).cachePrune({ olderThan: flags.olderThan, maxSize: flags.maxSize })));

  // Images: replay's own, built from images/ (see images/README.md).
  const imagesContext = async (flags: { json: boolean; engine?: string[] }): Promise<ImagesCommandContext> => {
    const [{ connectDocker }, { readReplayConfig }] = await Promise.all([import("../runners/docker/index.js"), import("./replay-config.js")]);
    const { docker, description } = await connectDocker();
    const config = await readReplayConfig(global().dir);
    const out = (text: string): void => void process.stdout.write(text);
    const engines = flags.engine?.length ? flags.engine : config.engines?.map((e) => e.engine);
    return { docker, engine: description, json: flags.json, out, ...(config.caCerts ? { caCertsFile: path.resolve(global().dir, config.caCerts) } : {}), ...(engines?.length ? { engines } : {}) };
  };
  const imagesCommands = (): Promise<typeof ImagesCommands> => import("./commands/images-command.js");
  const images = program.command("images").description("build, list, pin and compare replay's job images (runner, rust, wasm-pack, trivy, browsers, go, java)");
  images
    .command("build")
    .description("build images (default: every one this machine can build), each after its missing parent layers; present ones are skipped")
    .argument("[name...]", "runner, rust, wasm-pack, trivy, browsers, go or java")
    .option("--json", "one JSON line per layer event", false)
    .action(async (names: string[], flags: { json: boolean }) => exit(await (await imagesCommands()).imagesBuild(await imagesContext(flags), names)));
  images
    .command("ls")
    .description("list replay's images: tag, size, and the toolchain versions inside")
    .option("--json", "print JSON", false)
    .action(async (flags: { json: boolean }) => exit(await (await imagesCommands()).imagesLs(await imagesContext(flags))));
  images
    .command("prune")
    .description("remove replay's old images (those `images ls` calls old, for this repository's settings) and untagged ones; images in use are kept")
    .option("--json", "print JSON", false)
    .action(async (flags: { json: boolean }) => exit(await (await imagesCommands()).imagesPrune(await imagesContext(flags))));
  images
    .command("parity")
    .description("compare an image (default runner) with GitHub's ubuntu-24.04 runner image: per section, what is there at the same major version, at another, or missing and why")
    .argument("[image]", "runner, rust, browsers, … or any image the engine has")
    .option("--json", "print JSON", false)
    .action(async (image: string | undefined, flags: { json: boolean }) => exit(await (await import("./commands/parity-command.js")).imagesParity(await imagesContext(flags), image)));
  images
    .command("lock")
    .description("refresh the checksums in images/toolchains.yml from the sources (npm's registry, GitHub releases, …)")
    .argument("[arg...]", "only these entries, by their arg (NODE20, TRIVY, …)")
    .option("--set <ARG=version>", "move an entry to another version (repeatable)", collect, [])
    .option("--json", "print JSON", false)
    .action(async (args: string[], flags: { set: string[]; json: boolean }) => {
      const set: Record<string, string> = {};
      for (const kv of flags.set) {
        const eq = kv.indexOf("=");
        if (eq <= 0) throw new UsageError(`--set ${kv}: expected ARG=version`, "for example --set NODE20=20.20.3");
        set[kv.slice(0, eq).toUpperCase()] = kv.slice(eq + 1);
      }
      exit(await (await imagesCommands()).imagesLock({ json: flags.json, out: (t) => void process.stdout.write(t) }, args, set));
    });

  program
    .command("doctor")
    .description("check the engine, images, CA certificates and disk space, and say what cannot be built here and why")
    .option("--json", "print JSON", false)
    .option("--engine <context|url>", "also check this engine of a pool (repeatable; default: .replay.yml's engines:)", collect, [])
    .action(async (flags: { json: boolean; engine: string[] }) => exit(await (await imagesCommands()).doctor(await imagesContext(flags))));

  addHookCommands(program, () => global().dir, exit, entry);

  return program;
}

/** The one place errors become messages: user mistakes are ReplayErrors, anything else a bug. */
export function reportError(e: unknown, json: boolean): number {
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
    // commander already printed its message
    return 2;
  }
  if (e instanceof ReplayError) {
    // An error that ended a run is in its event stream already (the run session emitted it).
    if (json && !errorWasEmitted(e)) process.stdout.write(errorEventLine(e));
    process.stderr.write(`error: ${e.message}\n`);
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
    return e.exitCode;
  }
  process.stderr.write(`replay hit a bug; please report it with this output:\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 70;
}
