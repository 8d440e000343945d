import path from "node:path";
import type { BuiltinAction } from "../builtin-actions.js";
import type { StepHost } from "../job/step-host.js";
import { installedNodes, jobArch, NEWEST_KNOWN_LTS, parseNodeVersionFile, resolveNodeVersion } from "../node-dist/index.js";
import type { NodeArch, NodeInstaller } from "../node-dist/index.js";
import type { RunStores } from "../services/index.js";
import { restoreNodeCache, saveNodeCache } from "./cache-setup-node.js";

class SetupNodeError extends Error {}

/** setup-node's resolveVersionInput: `node-version`, else what `node-version-file` says. */
async function versionSpec(host: StepHost): Promise<string> {
  const direct = host.inputs["node-version"]?.trim() ?? "";
  const fileInput = host.inputs["node-version-file"]?.trim() ?? "";
  if (direct && fileInput) host.warn("Both node-version and node-version-file inputs are specified, only node-version will be used");
  if (direct || !fileInput) return direct;
  if (/(^|\/)\.?mise\.toml$/.test(fileInput)) throw new SetupNodeError(`replay's built-in setup-node does not read ${fileInput} yet: give node-version, or a .nvmrc, .node-version, .tool-versions or package.json`);
  let file = path.posix.join(host.workspace, fileInput);
  for (let depth = 0; depth < 10; depth++) {
    const r = await host.exec(["cat", file], { quiet: true });
    if (r.exitCode !== 0) throw new SetupNodeError(`The specified node version file at: ${file} does not exist`);
    const parsed = parseNodeVersionFile(r.stdout);
    if ("extends" in parsed) {
      file = path.posix.resolve(path.posix.dirname(file), parsed.extends);
      host.log(`Resolving node version from ${file}`);
      continue;
    }
    if (!parsed.version) host.warn(`Could not determine node version from ${file}. Falling back`);
    host.log(`Resolved ${fileInput} as ${parsed.version ?? ""}`);
    return parsed.version ?? "";
  }
  throw new SetupNodeError(`${fileInput}: volta.extends goes on for more than 10 files`);
}

const isTrue = (v: string | undefined): boolean => (v ?? "").trim().toUpperCase() === "TRUE";

/** Finds, installs when need be, and puts on PATH the Node `spec` names; answers its bin folder. */
async function setUp(host: StepHost, spec: string, installer: NodeInstaller | undefined): Promise<string> {
  const { arch, machine } = await jobArch(host.container, host.user);
  if (!arch) throw new SetupNodeError(`replay's setup-node installs Node for x64 and arm64 machines; this job's container is ${machine}`);
  const wanted = host.inputs["architecture"]?.trim();
  if (wanted && wanted !== arch) host.warn(`architecture ${wanted} is not this job's (${arch}): replay sets up Node for ${arch}`);
  if (host.inputs["mirror"]?.trim()) host.warn("replay's built-in setup-node does not use `mirror`: Node comes from nodejs.org or the npm registry");
  const imageRoot = `${host.paths.toolCache}/node`;
  const installed = await installedNodes(host.container, host.user, [imageRoot, ...(installer ? [`${installer.mountPath}/node`] : [])], arch);
  const releases = async (): Promise<readonly { version: string; lts: string | false }[]> => {
    if (!installer) throw new SetupNodeError(`Node ${spec} is not in the job's image ${host.cell.image} (it has ${installed.map((i) => i.version).join(", ") || "none"}), and replay's tool cache is off`);
    const index = await installer.index(arch);
    if (index.fallbackReason) {
      host.log(`nodejs.org did not answer (${index.fallbackReason}): Node's versions come from the npm registry's node-linux-${arch} package, LTS lines from replay's table (up to ${NEWEST_KNOWN_LTS.codename}, ${NEWEST_KNOWN_LTS.major})`);
    }
    return index.releases;
  };
  const resolved = await resolveNodeVersion(spec, { checkLatest: isTrue(host.inputs["check-latest"]), installed: installed.map((i) => i.version), releases, log: (l) => host.log(l), arch });
  const version = resolved.version;
  const dir = `${imageRoot}/${version}/${arch}`;
  const inImage = installed.some((i) => i.version === version && i.root === imageRoot);
  if (!inImage) {
    if (!installer) throw new SetupNodeError(`Node ${version} is not in the job's image ${host.cell.image}, and replay's tool cache is off`);
    if (!resolved.installed) await installer.install({ container: host.container, hostDir: host.hostDir, containerDir: host.paths.fileCommands, log: (l) => host.log(l) }, version, arch);
    await copyIntoJob(host, installer, version, arch);
  }
  if (resolved.installed) host.log(`Found in cache @ ${dir}`);
  host.addPath(`${dir}/bin`);
  return `${dir}/bin`;
}

/**
 * The job's own copy of a version in replay's tool cache, where setup-node would have put
 * it: what the job changes in it (corepack enable, npm install -g) stays in the job.
 */
async function copyIntoJob(host: StepHost, installer: NodeInstaller, version: string, arch: NodeArch): Promise<void> {
  const from = path.posix.dirname(installer.dir(version, arch));
  const to = `${host.paths.toolCache}/node`;
  const r = await host.exec(["sh", "-c", 'mkdir -p "$1" && rm -rf "$1/$3.tmp" && cp -R "$2" "$1/$3.tmp" && mv "$1/$3.tmp" "$1/$3"', "sh", to, from, version], { quiet: true });
  if (r.exitCode !== 0) throw new SetupNodeError(`cannot copy Node ${version} from replay's tool cache into ${to}: ${r.stdout.trim()}`);
}

/** setup-node's printEnvDetailsAndSetOutput: the versions of node, npm and yarn on PATH. */
async function environmentDetails(host: StepHost, nodeBin: string | undefined): Promise<void> {
  const env = nodeBin ? { PATH: `${nodeBin}:${host.env["PATH"] ?? ""}` } : {};
  const r = await host.exec(["sh", "-c", 'for t in node npm yarn; do v=""; command -v "$t" >/dev/null && v=$("$t" --version 2>/dev/null); echo "$t: $v"; done'], { quiet: true, env });
  host.log("##[group]Environment details");
  for (const line of r.stdout.trim().split("\n")) host.log(line);
  host.log("##[endgroup]");
  const node = /^node: (\S+)/m.exec(r.stdout)?.[1];
  if (node) host.setOutput("node-version", node);
}

/**
 * actions/setup-node: any version setup-node accepts, resolved as it resolves them (the
 * image's tool cache first, nodejs.org's index or npm's registry when the spec needs it),
 * installed into replay's tool cache when the image lacks it. `cache:` restores and saves
 * the package manager's cache in the run's cache store.
 */
export const setupNode = (stores: RunStores, installer?: NodeInstaller): BuiltinAction => ({
  name: "actions/setup-node",
  async main(host) {
    let nodeBin: string | undefined;
    if (host.inputs["registry-url"]?.trim()) host.warn("replay's built-in setup-node does not write the .npmrc that `registry-url` asks for");
    try {
      const spec = await versionSpec(host);
      if (spec) nodeBin = await setUp(host, spec, installer);
      else host.log("node-version is not specified: the node on PATH is used");
    } catch (e) {
      host.log(`##[error]${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    await environmentDetails(host, nodeBin);
    const pm = host.inputs["cache"]?.trim();
    return pm ? restoreNodeCache(host, stores, pm, nodeBin) : true;
  },
  post: (host) => saveNodeCache(host, stores),
});
