import semver from "semver";
import { ltsCodename } from "./lts-lines.js";

/** The architectures replay installs Node for (the job container's, as `uname -m` names it). */
export type NodeArch = "x64" | "arm64";

export const NODEJS_DIST = "https://nodejs.org/dist";
export const NPM_REGISTRY = "https://registry.npmjs.org";

/** One stable Node release with a Linux build for the architecture. */
export interface NodeRelease {
  /** Without the `v`: `22.11.0`. */
  version: string;
  /** Its LTS codename (`Jod`), or false. */
  lts: string | false;
  /** From npm's node-linux-<arch> package: its tarball and sha512 integrity. */
  npm?: { tarball: string; integrity: string };
}

/** Where versions come from: nodejs.org's dist index, else npm's node-linux-<arch> package. */
export interface NodeIndex {
  source: "nodejs.org" | "npm";
  /** Newest first. */
  releases: NodeRelease[];
  /** Why nodejs.org was not used, when it was not. */
  fallbackReason?: string;
}

type Fetch = typeof globalThis.fetch;

const byNewest = (a: NodeRelease, b: NodeRelease): number => semver.rcompare(a.version, b.version);

/** nodejs.org's dist/index.json: `[{ version: "v22.11.0", lts: "Jod" | false, files: ["linux-x64", …] }]`. */
export function parseNodejsIndex(json: unknown, arch: NodeArch): NodeRelease[] {
  if (!Array.isArray(json)) throw new Error("nodejs.org's index.json is not a list");
  const releases: NodeRelease[] = [];
  for (const entry of json as { version?: unknown; lts?: unknown; files?: unknown }[]) {
    const version = typeof entry.version === "string" ? semver.valid(entry.version) : null;
    if (!version || semver.prerelease(version)) continue;
    if (!Array.isArray(entry.files) || !entry.files.includes(`linux-${arch}`)) continue;
    releases.push({ version, lts: typeof entry.lts === "string" && entry.lts ? entry.lts : false });
  }
  return releases.sort(byNewest);
}

/** npm's metadata of node-linux-<arch>: every version with its tarball; LTS from replay's table. */
export function parseRegistryPackument(json: unknown): NodeRelease[] {
  const versions = (json as { versions?: Record<string, { dist?: { tarball?: unknown; integrity?: unknown } }> } | null)?.versions;
  if (!versions || typeof versions !== "object") throw new Error("the registry's answer has no versions");
  const releases: NodeRelease[] = [];
  for (const [v, meta] of Object.entries(versions)) {
    // Its odd extras (4.1.0-pkg1, 8.1.4-win12) are packaging experiments, not releases.
    if (!semver.valid(v) || semver.prerelease(v)) continue;
    const { tarball, integrity } = meta.dist ?? {};
    if (typeof tarball !== "string" || typeof integrity !== "string" || !integrity.startsWith("sha512-")) continue;
    releases.push({ version: v, lts: ltsCodename(v), npm: { tarball, integrity } });
  }
  return releases.sort(byNewest);
}

const causeOf = (e: unknown): string => {
  if (!(e instanceof Error)) return String(e);
  if (e.name === "TimeoutError") return "no answer in time";
  return e.cause instanceof Error ? e.cause.message : e.message;
};

export async function getJson(fetch: Fetch, url: string, timeoutMs: number, accept?: string): Promise<unknown> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), ...(accept ? { headers: { accept } } : {}) });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return r.json();
}

export interface LoadIndexOptions {
  fetch: Fetch;
  arch: NodeArch;
  /** nodejs.org is asked first, briefly: where it is blocked, every setup-node would wait. */
  nodejsTimeoutMs?: number;
  registryTimeoutMs?: number;
}

/** The versions setup-node would see: nodejs.org's index when it answers, else npm's. */
export async function loadNodeIndex(o: LoadIndexOptions): Promise<NodeIndex> {
  let reason: string;
  try {
    return { source: "nodejs.org", releases: parseNodejsIndex(await getJson(o.fetch, `${NODEJS_DIST}/index.json`, o.nodejsTimeoutMs ?? 3000), o.arch) };
  } catch (e) {
    reason = `nodejs.org: ${causeOf(e)}`;
  }
  try {
    // The abbreviated metadata, as npm itself asks for it.
    const json = await getJson(o.fetch, `${NPM_REGISTRY}/node-linux-${o.arch}`, o.registryTimeoutMs ?? 30_000, "application/vnd.npm.install-v1+json");
    return { source: "npm", releases: parseRegistryPackument(json), fallbackReason: reason };
  } catch (e) {
    throw new Error(`cannot list Node's versions: neither nodejs.org nor the npm registry answered (${reason}; registry.npmjs.org: ${causeOf(e)})`, { cause: e });
  }
}
