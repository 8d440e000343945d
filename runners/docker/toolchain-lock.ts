import { createHash } from "node:crypto";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseDocument } from "yaml";
import { caFetch } from "../../common/index.js";
import { TOOLCHAINS_FILE, readToolchains, toolchainSource } from "./toolchains.js";
import type { Toolchain } from "./toolchains.js";

// `replay images lock`: refreshes the checksums of images/toolchains.yml from the sources
// themselves (and moves a version with --set). npm's registry publishes each tarball's
// sha512; anything else is downloaded and hashed, which for GitHub releases needs
// github.com. Debian packages carry no checksum here: apt checks them at build time.

export type LockOutcome = "unchanged" | "updated" | "skipped" | "failed";

export interface LockResult {
  arg: string;
  name: string;
  version: string;
  outcome: LockOutcome;
  message: string;
}

export interface LockOptions {
  /** Only these entries (by arg); default all. */
  only?: readonly string[];
  /** arg -> new version; the URL follows (the old version in it replaced). */
  set?: Readonly<Record<string, string>>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

interface Fresh {
  version: string;
  url: string;
  sha256?: string;
  sha512?: string;
}

export async function lockToolchains(imagesDir: string, options: LockOptions = {}): Promise<LockResult[]> {
  const doFetch = options.fetch ?? caFetch;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const toolchains = await readToolchains(imagesDir);
  const only = options.only?.map((a) => a.toUpperCase());
  const unknown = [...(only ?? []), ...Object.keys(options.set ?? {})].filter((a) => !toolchains.some((t) => t.arg === a.toUpperCase()));
  if (unknown.length) throw new Error(`no toolchain ${unknown.join(", ")} in ${TOOLCHAINS_FILE} (it has ${toolchains.map((t) => t.arg).join(", ")})`);

  const results: LockResult[] = [];
  const updates = new Map<number, Fresh>();
  for (const [index, t] of toolchains.entries()) {
    if (only !== undefined && !only.includes(t.arg)) continue;
    const version = options.set?.[t.arg] ?? t.version;
    const url = version === t.version ? t.url : t.url.split(t.version).join(version);
    const base = { arg: t.arg, name: t.name, version };
    try {
      const fresh = await freshEntry(t, version, url, doFetch, timeoutMs);
      if (fresh === undefined) {
        results.push({ ...base, outcome: "skipped", message: "Debian packages: apt checks them against the archive's signed index when the image is built" });
        continue;
      }
      const changed = fresh.version !== t.version || fresh.url !== t.url || fresh.sha256 !== t.sha256 || fresh.sha512 !== t.sha512;
      if (changed) updates.set(index, fresh);
      results.push({ ...base, outcome: changed ? "updated" : "unchanged", message: changed ? describeChange(t, fresh) : "checksum confirmed" });
    } catch (e) {
      results.push({ ...base, outcome: "failed", message: failureMessage(url, e) });
    }
  }
  if (updates.size) await writeUpdates(imagesDir, toolchains, updates);
  return results;
}

async function freshEntry(t: Toolchain, version: string, url: string, doFetch: typeof fetch, timeoutMs: number): Promise<Fresh | undefined> {
  const source = toolchainSource(t);
  if (source === "apt") {
    if (version === t.version) return undefined;
    return { version, url };
  }
  if (source === "npm" && t.sha512 !== undefined) {
    const m = /^\/((?:@[^/]+\/)?[^/]+)\/-\//.exec(new URL(url).pathname);
    if (!m?.[1]) throw new Error(`cannot tell the npm package from ${url}`);
    const r = await doFetch(`https://registry.npmjs.org/${m[1]}/${version}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) throw new Error(`the registry answered HTTP ${r.status} for ${m[1]}@${version}`);
    const dist = ((await r.json()) as { dist?: { tarball?: string; integrity?: string } }).dist;
    const integrity = dist?.integrity;
    if (!dist?.tarball || !integrity?.startsWith("sha512-")) throw new Error(`the registry gives no sha512 integrity for ${m[1]}@${version}`);
    return { version, url: dist.tarball, sha512: Buffer.from(integrity.slice("sha512-".length), "base64").toString("hex") };
  }
  const r = await doFetch(url, { redirect: "follow", signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok || r.body === null) throw new Error(`HTTP ${r.status}`);
  const hash = createHash(t.sha512 !== undefined ? "sha512" : "sha256");
  for await (const chunk of r.body) hash.update(chunk);
  const digest = hash.digest("hex");
  return t.sha512 !== undefined ? { version, url, sha512: digest } : { version, url, sha256: digest };
}

function describeChange(t: Toolchain, f: Fresh): string {
  const parts: string[] = [];
  if (f.version !== t.version) parts.push(`version ${t.version} -> ${f.version}`);
  if (f.url !== t.url) parts.push(`url -> ${f.url}`);
  if (f.sha256 !== t.sha256 && f.sha256 !== undefined) parts.push(`sha256 -> ${f.sha256}`);
  if (f.sha512 !== t.sha512 && f.sha512 !== undefined) parts.push(`sha512 -> ${f.sha512.slice(0, 16)}…`);
  return parts.join(", ");
}

function failureMessage(url: string, e: unknown): string {
  const host = new URL(url).host;
  const cause = e instanceof Error ? ((e.cause instanceof Error ? e.cause.message : undefined) ?? e.message) : String(e);
  return `needs network access to ${host} to download ${url} and hash it (${cause}); run \`replay images lock\` on a machine that reaches ${host}, and commit images/${TOOLCHAINS_FILE} and the Dockerfiles`;
}

/** Writes the manifest (comments kept) and the matching ARG defaults of every Dockerfile. */
async function writeUpdates(imagesDir: string, toolchains: readonly Toolchain[], updates: ReadonlyMap<number, Fresh>): Promise<void> {
  const file = path.join(imagesDir, TOOLCHAINS_FILE);
  const doc = parseDocument(await readFile(file, "utf8"));
  const args = new Map<string, string>();
  for (const [index, fresh] of updates) {
    const t = toolchains[index];
    if (t === undefined) continue;
    for (const key of ["version", "url", "sha256", "sha512"] as const) {
      const value = fresh[key];
      if (value === undefined) continue;
      doc.setIn(["toolchains", index, key], value);
      args.set(`${t.arg}_${key.toUpperCase()}`, value);
    }
  }
  await writeFile(file, String(doc));
  for (const entry of await readdir(imagesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dockerfile = path.join(imagesDir, entry.name, "Dockerfile");
    const text = await readFile(dockerfile, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const next = text.replace(/^(\s*ARG\s+)([A-Z][A-Z0-9_]*)=.*$/gm, (line, prefix: string, name: string) =>
      args.has(name) ? `${prefix}${name}=${args.get(name) ?? ""}` : line,
    );
    if (next !== text) await writeFile(dockerfile, next);
  }
}
