import { createHash } from "node:crypto";

/** How @actions/cache compresses an archive: zstd whenever the runner has it, else gzip. */
export type CompressionMethod = "gzip" | "zstd-without-long" | "zstd";

/** The file name @actions/cache gives the archive of each method. */
export function cacheFileName(method: CompressionMethod): string {
  return method === "gzip" ? "cache.tgz" : "cache.tzst";
}

/**
 * The entry's version as @actions/cache computes it (cacheUtils.getCacheVersion): the
 * `path` lines exactly as given, the compression method, `windows-only` on a Windows
 * runner without enableCrossOsArchive, and the salt. A restore finds only entries
 * saved with the same version, so a different path list or compressor never matches.
 */
export function cacheVersion(paths: readonly string[], method: CompressionMethod, o: { windows?: boolean; enableCrossOsArchive?: boolean } = {}): string {
  const components = [...paths, method];
  if (o.windows && !o.enableCrossOsArchive) components.push("windows-only");
  components.push("1.0");
  return createHash("sha256").update(components.join("|")).digest("hex");
}

/** A multi-line input as actions/cache reads it (utils.getInputAsArray). */
export function inputLines(value: string | undefined): string[] {
  return (value ?? "")
    .split("\n")
    .map((s) => s.replace(/^!\s+/, "!").trim())
    .filter((s) => s !== "");
}

/** actions/cache's isExactKeyMatch: equal ignoring case, not accents. */
export function isExactKeyMatch(key: string, matched: string | undefined): boolean {
  return matched !== undefined && matched !== "" && matched.localeCompare(key, undefined, { sensitivity: "accent" }) === 0;
}
