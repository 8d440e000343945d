// The options every replay (job, run, debug, watch) shares, and what they become.
import { Option } from "commander";
import type { Command } from "commander";
import type { Reporter } from "../runners/index.js";
import type { ReplayCommandOptions } from "./commands/replay-command.js";
import { DEFAULT_GITHUB_URL, collect, defaultParallel, positiveInt } from "./option-args.js";

export interface GlobalOptions {
  dir: string;
}

/** The flags as commander gives them: those a replay takes as they are, and the rest. */
export interface ReplayFlags extends Pick<ReplayCommandOptions, "workflow" | "event" | "matrix" | "input" | "secret" | "secretFile" | "var" | "image"> {
  from?: string;
  parallel: number;
  keep: boolean;
  allowPrivileged: boolean;
  keepImages: boolean;
  base?: string;
  eventPath?: string;
  githubToken?: string;
  githubTokenFromGh: boolean;
  environment: string[];
  strict: boolean;
  pull: boolean;
  diff: boolean;
  json: boolean;
  /** false with --no-tui. */
  tui: boolean;
  /** false with --no-sync. */
  sync: boolean;
  /** true with --copy-back, false with --no-copy-back. */
  copyBack?: boolean;
  step: boolean;
  breakOnFailure: boolean;
  breakAt: string[];
  githubUrl: string;
  offline: boolean;
  /** `--no-builtin <action>` (repeatable): run the real action instead of replay's built-in. */
  builtin: string[];
  runnerSize?: "public" | "private" | "host";
  /** `--engine`, repeatable. */
  engine: string[];
}

export function addReplayOptions(cmd: Command): Command {
  return cmd
    .option("-w, --workflow <path>", "a workflow file, or a folder of workflow files (default: .github/workflows)")
    .option("-e, --event <name>", "the event that triggers the replay", "push")
    .option("-m, --matrix <key=value>", "select matrix cells (repeatable)", collect, [])
    .option("-i, --input <key=value>", "a workflow_dispatch or workflow_call input (repeatable)", collect, [])
    .option("-s, --secret <NAME[=VALUE]>", "a secret; without a value it is read from the environment (repeatable)", collect, [])
    .option("--secret-file <file>", "secrets from a dotenv file (.secrets in the repository is read when present)")
    .option("--var <key=value>", "a configuration variable for the vars context (repeatable)", collect, [])
    .option("--image <label=image>", "run jobs whose runs-on has this label in this image (repeatable)", collect, [])
    .addOption(new Option("--from <source>", "what the jobs see: the working tree (tracked files, with uncommitted changes) or exactly HEAD").choices(["worktree", "HEAD"]).default("worktree"))
    .option("-p, --parallel <n>", "how many job containers run at once", positiveInt, defaultParallel())
    .option("--keep", "keep a failed job's container for inspection", false)
    .option("--no-sync", "do not copy your working tree's edits into a paused job before its step runs or is retried")
    .option("--copy-back", "once the replay is over, copy the files the jobs changed in their checkout back to your working tree, without asking")
    .option("--no-copy-back", "do not offer to copy the jobs' changes back (replay debug and stepping offer it when the replay is over)")
    .option("--allow-privileged", "let steps start --privileged containers (and other options that reach the host) through their Docker API", false)
    .option("--keep-images", "keep the images the jobs' steps built (removed at the end of the run by default)", false)
    .option("--event-path <file>", "a JSON event payload of your own, instead of one synthesized from git")
    .option("--base <ref>", "the base of a pull_request event, and what path filters compare against")
    .option("--github-token <token>", "a token for secrets.GITHUB_TOKEN (none is given by default)")
    .option("--github-token-from-gh", "use `gh auth token` as secrets.GITHUB_TOKEN", false)
    .option("--environment <name>", "let jobs that deploy to this environment run (repeatable); others are skipped", collect, [])
    .option("--strict", "fail the jobs replay cannot run here (macOS and Windows runners) instead of reporting them not replayed", false)
    .option("--pull", "pull service and container images even when they are present", false)
    .option("--diff", "once the replay is over, diff it against the newest CI run (as `replay diff` does)", false)
    .option("--json", "print the event stream as JSON Lines", false)
    .option("--no-tui", "plain output even in a terminal (the interactive screen is used when stdout is a terminal and CI is unset)")
    .option("--step", "pause before each step (keys: n next, c continue, k skip, ! shell; s toggles it at any time)", false)
    .option("--break-on-failure", "pause a job at a failed step: r retries it in the same container, ! opens a shell there", false)
    .option("--break-at <step>", "pause before this step: its name, or its number (1 = the job's first step); repeatable", collect, [])
    .option("--github-url <url>", "where remote actions are cloned from (<url>/<owner>/<repo>.git): GitHub, or a GitHub Enterprise Server", DEFAULT_GITHUB_URL)
    .option("--offline", "run remote actions from the cache only (~/.cache/replay/actions); a missing one is named and the replay refused", false)
    .addOption(new Option("--runner-size <size>", "limit each job's CPUs and memory to GitHub's runner size for its runs-on label: public or private repository sizes, or host (no limits; default, or .replay.yml runner-size)").choices(["public", "private", "host"]))
    .option("--engine <context|url>", "spread the jobs over this engine too: a Docker context's name or a URL (unix://, tcp://, ssh://), each with --parallel job slots; repeatable, and wins over .replay.yml's engines:", collect, [])
    .option("--no-builtin <action>", "run the real action instead of replay's built-in one, e.g. --no-builtin actions/checkout (repeatable)", collect, []);
}

export async function reportersFor(flags: { json: boolean }): Promise<Reporter[]> {
  if (flags.json) return [new (await import("./reporters/json-reporter.js")).JsonReporter()];
  return [new (await import("./reporters/plain-reporter.js")).PlainReporter()];
}

/** The flags every replay shares, as replayCommand takes them. */
export function replayOptionsOf(global: GlobalOptions, flags: ReplayFlags, job: string | undefined): Omit<ReplayCommandOptions, "reporters"> {
  return {
    dir: global.dir,
    ...(flags.workflow === undefined ? {} : { workflow: flags.workflow }),
    event: flags.event,
    ...(job === undefined ? {} : { job }),
    matrix: flags.matrix,
    input: flags.input,
    secret: flags.secret,
    ...(flags.secretFile === undefined ? {} : { secretFile: flags.secretFile }),
    var: flags.var,
    image: flags.image,
    from: flags.from === "HEAD" ? "HEAD" : "worktree",
    parallel: flags.parallel,
    keep: flags.keep,
    allowPrivileged: flags.allowPrivileged,
    keepImages: flags.keepImages,
    sync: flags.sync,
    ...(flags.base === undefined ? {} : { base: flags.base }),
    ...(flags.eventPath === undefined ? {} : { eventPath: flags.eventPath }),
    ...(flags.githubToken === undefined ? {} : { githubToken: flags.githubToken }),
    githubTokenFromGh: flags.githubTokenFromGh,
    environments: flags.environment,
    strict: flags.strict,
    pull: flags.pull,
    githubUrl: flags.githubUrl,
    offline: flags.offline,
    noBuiltin: flags.builtin,
    ...(flags.runnerSize ? { runnerSize: flags.runnerSize } : {}),
    ...(flags.engine.length ? { engines: flags.engine } : {}),
  };
}
