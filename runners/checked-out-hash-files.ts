import path from "node:path";

type HashFiles = (patterns: string[]) => Promise<string>;

const FOLLOW_OPTION = "--follow-symbolic-links";

/**
 * hashFiles() as the job's workspace answers it: '' before a checkout put the repository
 * there (the workspace is empty, as on GitHub), the repository's hash once one did.
 * `checkedOut` lists where checkouts put it, relative to the workspace ('' for the
 * workspace itself). hashFiles runs on the host, over the repository's folder: after a
 * checkout into a subfolder, the patterns (relative to the workspace) are made relative
 * to that folder first (patternsUnder).
 */
export function checkedOutHashFiles(hash: HashFiles, checkedOut: () => readonly string[]): HashFiles {
  return async (patterns) => {
    const at = checkedOut();
    if (at.length === 0) return "";
    if (at.includes("")) return hash(patterns);
    const [first = "", ...rest] = patterns;
    const option = first.toLowerCase() === FOLLOW_OPTION ? [first] : [];
    const globs = option.length ? rest : patterns;
    const under = patternsUnder(globs, at[0] ?? "");
    return under.length === 0 ? "" : hash([...option, ...under]);
  };
}

/**
 * Patterns relative to the workspace, made relative to its subfolder `dir` (where the
 * repository is): `dir/x` becomes `x`, a leading `**` stays (it matches in the subfolder
 * too), a pattern naming `dir` or a folder above it matches all of it (`**`), and one
 * outside it is dropped; an absolute one stays. Each line of a pattern (the runner joins them with newlines)
 * counts alone, `!` negations and `#` comments kept as they are.
 */
export function patternsUnder(patterns: readonly string[], dir: string): string[] {
  const parts = dir.split("/").filter((p) => p !== "" && p !== ".");
  const lines = patterns.flatMap((p) => p.split("\n"));
  return lines.flatMap((line) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return [];
    const negated = /^!+/.exec(trimmed)?.[0] ?? "";
    const under = relativeTo(trimmed.slice(negated.length), parts);
    return under === undefined ? [] : [`${negated}${under}`];
  });
}

/** Whether a segment of a pattern (`*`, `?`, `[…]` wildcards) matches a folder's name. */
function segmentMatches(segment: string, name: string): boolean {
  if (!/[*?[]/.test(segment)) return segment === name;
  const source = segment.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
  return new RegExp(`^${source}$`).test(name);
}

function relativeTo(pattern: string, dir: readonly string[]): string | undefined {
  if (path.posix.isAbsolute(pattern)) return pattern;
  const segments = path.posix.normalize(pattern.replace(/^\.\//, "")).split("/").filter((s) => s !== "");
  for (const [i, part] of dir.entries()) {
    const segment = segments[i];
    if (segment === undefined) return "**";
    if (segment === "**") return segments.slice(i).join("/");
    if (!segmentMatches(segment, part)) return undefined;
  }
  const rest = segments.slice(dir.length);
  return rest.length === 0 ? "**" : rest.join("/");
}
