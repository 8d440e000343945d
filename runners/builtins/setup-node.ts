import semver from "semver";
import type { BuiltinAction } from "../builtin-actions.js";
import type { StepHost } from "../job-runner.js";
import type { RunStores } from "../services/index.js";
import { restoreNodeCache, saveNodeCache } from "./cache-setup-node.js";

/** The version spec from `node-version` or `node-version-file`, as setup-node reads them. */
async function versionSpec(host: StepHost): Promise<string | undefined> {
  const direct = host.inputs["node-version"]?.trim();
  if (direct) return direct;
  const file = host.inputs["node-version-file"]?.trim();
  if (!file) return undefined;
  const r = await host.exec(["cat", file], { quiet: true });
  if (r.exitCode !== 0) throw new Error(`The specified node version file at: ${file} does not exist`);
  const text = r.stdout.trim();
  if (file.endsWith("package.json")) {
    const pkg = JSON.parse(text) as { volta?: { node?: string }; engines?: { node?: string }; devEngines?: { runtime?: { version?: string } } };
    return pkg.volta?.node ?? pkg.devEngines?.runtime?.version ?? pkg.engines?.node;
  }
  // .nvmrc / .node-version / .tool-versions
  const line = text.split("\n").find((l) => l.trim() && !l.trim().startsWith("#")) ?? "";
  return line.replace(/^nodejs\s+/, "").replace(/^v/, "").trim();
}

/** Picks the newest installed version that satisfies the spec. */
export function pickNodeVersion(spec: string, installed: string[]): string | undefined {
  const s = spec.replace(/^v/, "").trim().toLowerCase();
  const sorted = [...installed].filter((v) => semver.valid(v)).sort(semver.rcompare);
  if (s === "node" || s === "latest" || s === "current") return sorted[0];
  if (s.startsWith("lts/")) {
    // Even majors are LTS lines; lts/* is the newest of them.
    const lts = sorted.filter((v) => semver.major(v) % 2 === 0);
    const name = s.slice(4);
    const codenames: Record<string, number> = { hydrogen: 18, iron: 20, jod: 22, krypton: 24 };
    if (name === "*") return lts[0];
    const major = codenames[name];
    return major === undefined ? undefined : lts.find((v) => semver.major(v) === major);
  }
  const range = semver.validRange(s.replace(/\.x$/, ""));
  if (!range) return undefined;
  return sorted.find((v) => semver.satisfies(v, range));
}

/**
 * actions/setup-node from the image's tool cache, laid out as GitHub's images do
 * (/opt/hostedtoolcache/node/<version>/x64). Nothing is downloaded; `cache:` restores
 * and saves the package manager's cache in the run's cache store.
 */
export const setupNode = (stores: RunStores): BuiltinAction => ({
  name: "actions/setup-node",
  async main(host) {
    let spec: string | undefined;
    try {
      spec = await versionSpec(host);
    } catch (e) {
      host.log(`##[error]${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    const cache = `${host.paths.toolCache}/node`;
    const ls = await host.exec(["bash", "-c", `for d in "$0"/*/; do [ -f "\${d%/}/x64.complete" ] && basename "$d"; done; true`, cache], { quiet: true });
    const installed = ls.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
    let nodeBin: string | undefined;
    if (!spec) {
      host.log("node-version is not specified: the node on PATH is used");
    } else {
      const version = pickNodeVersion(spec, installed);
      if (!version) {
        host.log(
          `##[error]Node ${spec} is not in the job's image ${host.cell.image} (it has ${installed.join(", ") || "none"}); add it to images/toolchains.yml and rebuild with \`replay images build\`, or pick an image with --image`,
        );
        return false;
      }
      const dir = `${cache}/${version}/x64`;
      host.log(`Found in cache @ ${dir}`);
      host.addPath(`${dir}/bin`);
      nodeBin = `${dir}/bin`;
      host.setOutput("node-version", `v${version}`);
    }
    const pm = host.inputs["cache"]?.trim();
    return pm ? restoreNodeCache(host, stores, pm, nodeBin) : true;
  },
  post: (host) => saveNodeCache(host, stores),
});
