import { randomUUID } from "node:crypto";
import { copyFile, rm } from "node:fs/promises";
import path from "node:path";
import type { JobContainer } from "../job-container.js";
import { bundledTools } from "./bundled-tools.js";
import { downloadVerified, integrityHex, readFromTgz } from "./download-verified.js";
import { getJson, loadNodeIndex, NODEJS_DIST, NPM_REGISTRY } from "./node-index.js";
import type { NodeArch, NodeIndex, NodeRelease } from "./node-index.js";

type Fetch = typeof globalThis.fetch;

/**
 * Where replay's tool cache volume is mounted in every job container. Not at
 * $RUNNER_TOOL_CACHE: a volume there would hide the image's own Node versions (Docker
 * copies them into a new, empty volume once, so an image built later with other versions
 * would never show them). Beside it, the image's versions stay where they are, and
 * setup-node copies a version from the volume into the job's own tool cache, so that what
 * a job does to its Node (`corepack enable`, `npm install -g`) stays in that job as on
 * GitHub's fresh machines, and the volume holds only what was installed.
 */
export const TOOL_CACHE_MOUNT = "/opt/replay-tool-cache";

/** The volume's name unless REPLAY_TOOL_CACHE_VOLUME says otherwise. */
export const DEFAULT_TOOL_CACHE_VOLUME = "replay-tool-cache";

/** The job an installation happens in. */
export interface InstallTarget {
  container: JobContainer;
  /** The job's runner folder on the host, bound at `containerDir`. */
  hostDir: string;
  containerDir: string;
  log: (line: string) => void;
}

export interface NodeInstallerOptions {
  fetch: Fetch;
  /** install-node.sh on the host (images/runner/install-node.sh). */
  script: string;
  mountPath?: string;
}

async function execCollect(container: JobContainer, cmd: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await container.exec({ cmd, env, user: "0", onStdout: (c) => (out += c.toString()), onStderr: (c) => (out += c.toString()) });
  return { code, out };
}

/**
 * Installs Node releases into replay's tool cache volume, as setup-node installs into the
 * runner's tool cache: downloaded on the host (through the proxy CA replay trusts),
 * checked against the published checksum, unpacked in the job's container by
 * install-node.sh. One replay downloads a version once however many jobs ask; replays at
 * once may both download it, and install-node.sh's rename keeps one.
 */
export class NodeInstaller {
  readonly mountPath: string;
  private readonly indexes = new Map<NodeArch, Promise<NodeIndex>>();
  private readonly filling = new Map<string, Promise<void>>();

  constructor(private readonly o: NodeInstallerOptions) {
    this.mountPath = o.mountPath ?? TOOL_CACHE_MOUNT;
  }

  /** The versions nodejs.org (or npm's registry) has, asked once per replay. */
  index(arch: NodeArch): Promise<NodeIndex> {
    let p = this.indexes.get(arch);
    if (!p) {
      p = loadNodeIndex({ fetch: this.o.fetch, arch });
      p.catch(() => this.indexes.delete(arch));
      this.indexes.set(arch, p);
    }
    return p;
  }

  /** `<mount>/node/<version>/<arch>`. */
  dir(version: string, arch: NodeArch): string {
    return `${this.mountPath}/node/${version}/${arch}`;
  }

  private async complete(container: JobContainer, version: string, arch: NodeArch): Promise<boolean> {
    return (await execCollect(container, ["test", "-f", `${this.dir(version, arch)}.complete`])).code === 0;
  }

  /** Makes sure the volume has `version`; answers whether this job downloaded it. */
  async install(t: InstallTarget, version: string, arch: NodeArch): Promise<boolean> {
    if (await this.complete(t.container, version, arch)) return false;
    const key = `${arch}/${version}`;
    const running = this.filling.get(key);
    if (running) {
      t.log(`Waiting for another job of this replay, which installs ${version} in replay's tool cache...`);
      await running.catch(() => undefined);
      if (await this.complete(t.container, version, arch)) return false;
    }
    const filling = this.fill(t, version, arch);
    this.filling.set(key, filling);
    try {
      await filling;
    } finally {
      if (this.filling.get(key) === filling) this.filling.delete(key);
    }
    return true;
  }

  private async fill(t: InstallTarget, version: string, arch: NodeArch): Promise<void> {
    const index = await this.index(arch);
    const release = index.releases.find((r) => r.version === version);
    if (!release) throw new Error(`Node ${version} is not in ${index.source === "npm" ? "the npm registry's node-linux-" + arch : "nodejs.org's index"}`);
    const tag = randomUUID().slice(0, 8);
    const files: string[] = [];
    const stage = (name: string): { host: string; container: string } => {
      const file = `${name}-${tag}`;
      files.push(path.join(t.hostDir, file));
      return { host: path.join(t.hostDir, file), container: `${t.containerDir}/${file}` };
    };
    try {
      const args = index.source === "nodejs.org" ? await this.fromNodejs(t, release, arch, stage) : await this.fromRegistry(t, release, arch, stage);
      const script = stage("install-node.sh");
      await copyFile(this.o.script, script.host);
      t.log("Extracting ...");
      const r = await execCollect(t.container, ["sh", script.container, version, ...args], { RUNNER_TOOL_CACHE: this.mountPath, TOOL_ARCH: arch });
      if (r.code !== 0) throw new Error(`installing Node ${version} in replay's tool cache failed (exit ${r.code}): ${r.out.trim().split("\n").slice(-5).join(" | ")}`);
      t.log("Adding to the cache ...");
      t.log("Done");
    } finally {
      await Promise.all(files.map((f) => rm(f, { force: true })));
    }
  }

  private async fromNodejs(t: InstallTarget, release: NodeRelease, arch: NodeArch, stage: (n: string) => { host: string; container: string }): Promise<string[]> {
    const name = `node-v${release.version}-linux-${arch}.tar.gz`;
    const base = `${NODEJS_DIST}/v${release.version}`;
    const sums = await this.o.fetch(`${base}/SHASUMS256.txt`, { signal: AbortSignal.timeout(30_000) });
    if (!sums.ok) throw new Error(`${base}/SHASUMS256.txt answered HTTP ${sums.status}`);
    const sha256 = (await sums.text()).split("\n").map((l) => l.trim().split(/\s+/)).find((p) => p[1] === name)?.[0];
    if (!sha256) throw new Error(`${base}/SHASUMS256.txt has no checksum for ${name}`);
    const node = stage("node.tar.gz");
    t.log(`Acquiring ${release.version} - ${arch} from ${base}/${name}`);
    const sha512 = await downloadVerified(this.o.fetch, `${base}/${name}`, node.host, { algorithm: "sha256", hex: sha256 });
    return [node.container, sha512];
  }

  /** npm's node-linux-<arch>, with the npm and corepack that release bundles from their own packages. */
  private async fromRegistry(t: InstallTarget, release: NodeRelease, arch: NodeArch, stage: (n: string) => { host: string; container: string }): Promise<string[]> {
    const dist = release.npm;
    if (!dist) throw new Error(`the registry lists no tarball for node-linux-${arch}@${release.version}`);
    const node = stage("node.tgz");
    t.log(`Acquiring ${release.version} - ${arch} from ${dist.tarball}`);
    const args = [node.container, await downloadVerified(this.o.fetch, dist.tarball, node.host, { algorithm: "sha512", hex: integrityHex(dist.integrity) })];
    const tools = bundledTools((await readFromTgz(node.host, "package/CHANGELOG.md")) ?? "");
    if (!tools.npm) throw new Error(`cannot tell which npm Node ${release.version} bundles: its CHANGELOG.md names none`);
    t.log(`Adding npm ${tools.npm}${tools.corepack ? ` and corepack ${tools.corepack}` : ""} (what Node ${release.version} bundles) from the npm registry`);
    for (const [pkg, v] of [["npm", tools.npm], ["corepack", tools.corepack]] as const) {
      if (!v) continue;
      const meta = (await getJson(this.o.fetch, `${NPM_REGISTRY}/${pkg}/${v}`, 30_000)) as { dist?: { tarball?: unknown; integrity?: unknown } };
      const { tarball, integrity } = meta.dist ?? {};
      if (typeof tarball !== "string" || typeof integrity !== "string" || !integrity.startsWith("sha512-")) throw new Error(`the registry gives no sha512 integrity for ${pkg}@${v}`);
      const file = stage(`${pkg}.tgz`);
      args.push(file.container, await downloadVerified(this.o.fetch, tarball, file.host, { algorithm: "sha512", hex: integrityHex(integrity) }));
    }
    return args;
  }
}
