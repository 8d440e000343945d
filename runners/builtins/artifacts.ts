import { createReadStream } from "node:fs";
import { mkdir, readdir, rename, stat } from "node:fs/promises";
import path from "node:path";
import { filterMatches } from "../../workflows/index.js";
import type { BuiltinAction } from "../builtin-actions.js";
import type { StepHost } from "../job-runner.js";

// A first, file-level version of upload-artifact@v4 / download-artifact@v4 over the
// run's artifact folder: the same roots, names and layout as GitHub's, so jobs that
// pass files downstream replay. The artifact service protocol comes with the caches.

const GLOB_CHARS = /[*?[{]/;

/** The part of a pattern before its first wildcard segment: where the search starts. */
export function searchRoot(pattern: string): string {
  const parts = pattern.replace(/\/+$/, "").split("/");
  const fixed: string[] = [];
  for (const p of parts) {
    if (GLOB_CHARS.test(p)) break;
    fixed.push(p);
  }
  return fixed.join("/") || ".";
}

/** The least common ancestor of folders, as upload-artifact picks the artifact root. */
export function commonAncestor(dirs: string[]): string {
  if (dirs.length === 0) return ".";
  const split = dirs.map((d) => path.posix.normalize(d).split("/").filter((s) => s !== "."));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n).join("/") || ".";
}

function patternLines(input: string | undefined): string[] {
  return (input ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

async function listMatches(host: StepHost, patterns: string[]): Promise<{ files: string[]; dirs: Set<string> }> {
  const include = patterns.filter((p) => !p.startsWith("!"));
  const script = [
    "shopt -s globstar nullglob dotglob",
    'for p in "$@"; do',
    '  for f in $p; do',
    '    if [ -d "$f" ]; then echo "D ${f%/}"; find "$f" -type f -printf "F %p\\n"; elif [ -f "$f" ]; then echo "F $f"; fi',
    "  done",
    "done",
  ].join("\n");
  const r = await host.exec(["bash", "-c", script, "list", ...include], { quiet: true });
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const line of r.stdout.split("\n")) {
    const f = path.posix.normalize(line.slice(2));
    if (line.startsWith("F ")) files.add(f);
    else if (line.startsWith("D ")) dirs.add(f);
  }
  const keep = [...files].filter((f) => filterMatches(patterns.map((p) => (p.startsWith("!") ? p : "**")), f));
  return { files: keep.sort(), dirs };
}

export const uploadArtifact: BuiltinAction = {
  name: "actions/upload-artifact",
  async main(host) {
    const name = host.inputs["name"] || "artifact";
    const patterns = patternLines(host.inputs["path"]);
    const ifNone = (host.inputs["if-no-files-found"] || "warn").toLowerCase();
    if (patterns.length === 0) {
      host.log("##[error]Input required and not supplied: path");
      return false;
    }
    const { files, dirs } = await listMatches(host, patterns);
    if (files.length === 0) {
      const msg = `No files were found with the provided path: ${patterns.join(", ")}. No artifacts will be uploaded.`;
      if (ifNone === "error") {
        host.log(`##[error]${msg}`);
        return false;
      }
      if (ifNone === "warn") host.log(`##[warning]${msg}`);
      else host.log(msg);
      return true;
    }
    const roots = patterns
      .filter((p) => !p.startsWith("!"))
      .map((p) => {
        const r = searchRoot(p);
        // A single file named without a wildcard is stored by its name: its folder is the root.
        return dirs.has(path.posix.normalize(r)) || GLOB_CHARS.test(p) ? r : path.posix.dirname(r);
      });
    const root = commonAncestor(roots);
    const store = path.join(host.deps.artifactsDir, name);
    if (await stat(store).catch(() => undefined)) {
      if (host.inputs["overwrite"] !== "true") {
        host.log(`##[error]Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run`);
        return false;
      }
    }
    const rel = files.map((f) => path.posix.relative(root, f));
    const tarName = `artifact-${host.stepIndex}.tar`;
    const r = await host.exec(
      ["bash", "-c", 'out="$0"; cd "$1"; shift; tar -cf "$out" -- "$@"', `${host.paths.fileCommands}/${tarName}`, root, ...rel],
      { quiet: true },
    );
    if (r.exitCode !== 0) return false;
    await mkdir(store, { recursive: true });
    await rename(path.join(host.hostDir, tarName), path.join(store, "files.tar"));
    host.log(`With the provided path, there will be ${files.length} file(s) uploaded`);
    host.log(`Artifact ${name} has been stored by replay (${files.length} file(s), root ${root})`);
    host.setOutput("artifact-id", String(Date.now()));
    host.setOutput("artifact-url", "");
    return true;
  },
};

export const downloadArtifact: BuiltinAction = {
  name: "actions/download-artifact",
  async main(host) {
    const name = host.inputs["name"];
    const pattern = host.inputs["pattern"];
    const merge = host.inputs["merge-multiple"] === "true";
    const dest = path.posix.resolve(host.workspace, host.inputs["path"] || ".");
    const available = (await readdir(host.deps.artifactsDir).catch(() => [] as string[])).sort();
    let chosen: { name: string; into: string }[];
    if (name) {
      if (!available.includes(name)) {
        host.log(`##[error]Unable to download artifact(s): Artifact not found for name: ${name}`);
        return false;
      }
      chosen = [{ name, into: dest }];
    } else {
      const names = pattern ? available.filter((a) => filterMatches([pattern], a)) : available;
      // Without a name, each artifact gets a folder of its own unless merge-multiple.
      chosen = names.map((n) => ({ name: n, into: merge ? dest : `${dest}/${n}` }));
    }
    for (const c of chosen) {
      const mk = await host.exec(["mkdir", "-p", c.into], { quiet: true });
      if (mk.exitCode !== 0) return false;
      await host.container.copyIn(createReadStream(path.join(host.deps.artifactsDir, c.name, "files.tar")), c.into);
      host.log(`Artifact ${c.name} was downloaded to ${c.into}`);
    }
    host.log(`Total of ${chosen.length} artifact(s) downloaded`);
    host.setOutput("download-path", dest);
    return true;
  },
};
