import path from "node:path";
import semver from "semver";
import type { StepHost } from "../job/step-host.js";
import { inputsEnv } from "./action-inputs.js";
import type { NodeRuns } from "./action-manifest.js";
import type { Invocation, InvocationResult, JobActions } from "./job-actions.js";
import { chooseNodeRuntime } from "./node-runtime.js";
import type { NodeRuntimeChoice } from "./node-runtime.js";
import { jobArch, newestSatisfying } from "../node-dist/index.js";

const HOSTED_TOOL_CACHE = "/opt/hostedtoolcache";

/** `<tool cache>/node/<version>/x64/bin/node` of every Node in the job's image and in replay's tool cache. */
async function nodeBinaries(host: StepHost): Promise<string[]> {
  const installer = host.deps.actions?.nodeInstaller;
  const roots = [...new Set([`${host.paths.toolCache}/node`, `${HOSTED_TOOL_CACHE}/node`, ...(installer ? [`${installer.mountPath}/node`] : [])])];
  let out = "";
  await host.container.exec({
    cmd: ["sh", "-c", 'for r in "$@"; do for n in "$r"/*/x64/bin/node; do [ -x "$n" ] && echo "$n"; done; done; true', "sh", ...roots],
    env: {},
    user: host.user,
    onStdout: (c) => (out += c.toString()),
    onStderr: () => undefined,
  });
  return out.split("\n").map((l) => l.trim()).filter(Boolean);
}

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The variables a shell passes on, and `NAME=value` words for those it would drop. */
export function splitEnvNames(env: Record<string, string>): { valid: Record<string, string>; others: string[] } {
  const valid: Record<string, string> = {};
  const others: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (SHELL_NAME.test(k)) valid[k] = v;
    else if (k !== "" && !k.includes("=")) others.push(`${k}=${v}`);
  }
  return { valid, others };
}

/** The action's environment: the step's env, INPUT_*, the runtime variables, the action's own. */
export function actionEnv(inv: Invocation, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    ...inv.env,
    ...inputsEnv(inv.inputs),
    ...extra,
    ...(inv.host.deps.actionRuntimeEnv ?? {}),
    GITHUB_ACTION: inv.actionId,
    GITHUB_ACTION_PATH: inv.action.dir,
    GITHUB_ACTION_REPOSITORY: inv.action.repository,
    GITHUB_ACTION_REF: inv.action.ref,
  };
  // The runner drops it: it would make the action's node load the runner's ICU data.
  delete env["NODE_ICU_DATA"];
  return env;
}

/**
 * The runner has every `runs.using` Node in its externals; an image without the one an
 * action names gets its newest release in replay's tool cache. Answers whether it did;
 * when it cannot, the action runs on the closest installed Node, with a warning saying so.
 */
async function installRuntime(host: StepHost, major: number): Promise<boolean> {
  const installer = host.deps.actions?.nodeInstaller;
  if (!installer) return false;
  try {
    const { arch } = await jobArch(host.container, host.user);
    if (!arch) return false;
    const version = newestSatisfying(String(major), (await installer.index(arch)).releases.map((r) => r.version));
    if (!version) return false;
    host.log(`node${major}, which this action runs on, is not in the job's image: installing Node ${version} in replay's tool cache`);
    await installer.install({ container: host.container, hostDir: host.hostDir, containerDir: host.paths.fileCommands, log: (l) => host.log(l) }, version, arch);
    return true;
  } catch (e) {
    host.warn(`cannot install node${major} for this action: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
}

/**
 * A JavaScript action's pre, main or post script, on the Node of its `using` from the
 * image's tool cache (not whatever `node` is on PATH), in the workspace, as the runner
 * runs it: INPUT_* and the runtime variables set, STATE_* of its earlier parts.
 */
export async function runNodeAction(inv: Invocation, reg: JobActions): Promise<InvocationResult> {
  const { host, action } = inv;
  const runs = action.manifest.runs as NodeRuns;
  const file = inv.phase === "pre" ? runs.pre : inv.phase === "post" ? runs.post : runs.main;
  if (file === undefined) return { ok: true, outputs: {} };
  reg.nodeVersions ??= nodeBinaries(host);
  let binaries = await reg.nodeVersions;
  const versionOf = (bin: string): string => path.posix.basename(path.posix.dirname(path.posix.dirname(path.posix.dirname(bin))));
  const choose = (): NodeRuntimeChoice | undefined => chooseNodeRuntime(runs.using, binaries.map(versionOf).filter((v) => semver.valid(v)), inv.env, action.display);
  let choice = choose();
  if (choice && semver.major(choice.version) !== choice.wantedMajor && (await installRuntime(host, choice.wantedMajor))) {
    reg.nodeVersions = nodeBinaries(host);
    binaries = await reg.nodeVersions;
    choice = choose();
  }
  if (!choice) {
    host.log(`##[error]${action.display} is a ${runs.using} action, and the job's image ${host.cell.image} has no Node in ${host.paths.toolCache}/node`);
    return { ok: false, outputs: {} };
  }
  if (inv.phase === "main") for (const w of choice.warnings) host.warn(w);
  const node = binaries.find((b) => versionOf(b) === choice.version) as string;
  const env = await host.processEnv(actionEnv(inv), { stateKey: inv.stateKey });
  const { valid, others } = splitEnvNames(env);
  // `INPUT_FETCH-DEPTH` and friends: the exec goes through /bin/sh, which drops names that
  // are not shell identifiers, so `env` sets those right before node starts.
  const cmd = others.length ? ["env", ...others, node, path.posix.join(action.dir, file)] : [node, path.posix.join(action.dir, file)];
  const r = await host.execProcess(cmd, valid, host.workspace, { stateKey: inv.stateKey });
  const done = await host.finishProcess({ stateKey: inv.stateKey });
  if (done.error) host.log(`##[error]${done.error}`);
  return { ok: r.exitCode === 0 && !r.refused && !done.error, outputs: done.outputs };
}
