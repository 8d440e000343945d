/**
 * What setup-node reads from a `node-version-file` (its util.ts getNodeVersionFromFile):
 * a package.json's volta.node, devEngines.runtime (name node), engines.node, or the file
 * volta.extends names; otherwise the first line that is only a version (`v22`, `22.x`,
 * `node 22` or `nodejs 22` as in .tool-versions), else the whole text trimmed.
 * `extends` asks for another file, to read and parse the same way.
 */
export type VersionFileResult = { version: string | null } | { extends: string };

interface PackageJson {
  volta?: { node?: unknown; extends?: unknown };
  devEngines?: { runtime?: unknown };
  engines?: { node?: unknown };
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

export function parseNodeVersionFile(contents: string): VersionFileResult {
  let manifest: unknown;
  try {
    manifest = JSON.parse(contents);
  } catch {
    manifest = undefined;
  }
  if (typeof manifest === "object" && manifest !== null) {
    const pkg = manifest as PackageJson;
    const volta = text(pkg.volta?.node);
    if (volta) return { version: volta };
    const runtimes = [pkg.devEngines?.runtime].flat() as ({ name?: unknown; version?: unknown } | undefined)[];
    const runtime = runtimes.find((r) => typeof r?.name === "string" && r.name.toLowerCase() === "node" && text(r.version));
    if (runtime) return { version: runtime.version as string };
    const engines = text(pkg.engines?.node);
    if (engines) return { version: engines };
    const extended = text(pkg.volta?.extends);
    if (extended) return { extends: extended };
    return { version: null };
  }
  const found = /^(?:node(js)?\s+)?v?(?<version>[^\s]+)$/m.exec(contents);
  return { version: found?.groups?.["version"] ?? contents.trim() };
}
