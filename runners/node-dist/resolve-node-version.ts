import semver from "semver";
import type { NodeRelease } from "./node-index.js";

// How actions/setup-node turns `node-version` into one version (its official_builds.ts,
// base-distribution.ts and @actions/tool-cache's find): LTS aliases and latest/current/node
// need the index, a plain spec is looked for in the tool cache first and downloaded only
// when the cache has nothing that satisfies it, and check-latest asks the index first.

export const isLatestAlias = (spec: string): boolean => ["current", "latest", "node"].includes(spec);
export const isLtsAlias = (spec: string): boolean => spec.startsWith("lts/");

/** `lts/*`, `lts/-n` and `lts/<codename>` as setup-node resolves them: to a major. */
export function ltsAliasMajor(spec: string, releases: readonly NodeRelease[]): string {
  const alias = spec.split("lts/")[1]?.toLowerCase();
  if (!alias) throw new Error(`Unable to parse LTS alias for Node version '${spec}'`);
  // Each line's newest release (a later set keeps the key's place), the lines oldest first.
  const lines = new Map<string, NodeRelease>();
  for (const r of [...releases].reverse()) if (r.lts) lines.set(r.lts.toLowerCase(), r);
  const numbered = [...lines.values()];
  const n = Number(alias);
  const release = alias === "*" ? numbered[numbered.length - 1] : n < 0 ? numbered[numbered.length - 1 + n] : lines.get(alias);
  if (!release) throw new Error(`Unable to find LTS release '${alias}' for Node version '${spec}'.`);
  return String(semver.major(release.version));
}

/** The first of `versions` (newest first) that the spec allows: an exact version, or a range. */
export function newestSatisfying(spec: string, versions: readonly string[]): string | undefined {
  const exact = semver.valid(semver.clean(spec) ?? "");
  const range = exact ?? spec;
  return versions.find((v) => semver.satisfies(v, range));
}

/** @actions/tool-cache's find: an explicit version exactly, else the newest installed that satisfies it. */
export function findInstalled(spec: string, installed: readonly string[]): string | undefined {
  const versions = installed.filter((v) => semver.valid(v)).sort(semver.rcompare);
  const exact = semver.valid(semver.clean(spec) ?? "");
  if (exact) return versions.includes(exact) ? exact : undefined;
  return newestSatisfying(spec, versions);
}

export interface Resolution {
  version: string;
  /** Whether it is installed already (in the image or replay's tool cache). */
  installed: boolean;
}

export interface ResolveOptions {
  checkLatest: boolean;
  installed: readonly string[];
  /** The index, asked only when the spec needs it. */
  releases: () => Promise<readonly NodeRelease[]>;
  /** setup-node's own lines, as it writes them. */
  log: (line: string) => void;
  /** For the error: `x64`. */
  arch: string;
}

/** Resolves a `node-version` as setup-node does; throws setup-node's error when nothing matches. */
export async function resolveNodeVersion(spec: string, o: ResolveOptions): Promise<Resolution> {
  let s = spec;
  if (isLtsAlias(s)) {
    o.log("Attempt to resolve LTS alias from manifest...");
    s = ltsAliasMajor(s, await o.releases());
  }
  if (isLatestAlias(s)) {
    const newest = (await o.releases())[0];
    if (!newest) throw new Error(`Unable to find Node version '${spec}' for platform linux and architecture ${o.arch}.`);
    s = newest.version;
    o.log("getting latest node version...");
  }
  if (o.checkLatest) {
    o.log("Attempt to resolve the latest version from manifest...");
    const latest = newestSatisfying(s, (await o.releases()).map((r) => r.version));
    if (latest) {
      s = latest;
      o.log(`Resolved as '${latest}'`);
    } else {
      o.log(`Failed to resolve version ${s} from manifest`);
    }
  }
  const found = findInstalled(s, o.installed);
  if (found) return { version: found, installed: true };
  o.log(`Attempting to download ${s}...`);
  const version = newestSatisfying(s, (await o.releases()).map((r) => r.version));
  if (!version) throw new Error(`Unable to find Node version '${spec}' for platform linux and architecture ${o.arch}.`);
  return { version, installed: false };
}
