// The working tree's changes for `replay watch`: chokidar watches the tree (not what git
// ignores, not .git or .replay), and each burst of events, once quiet for the debounce,
// is handed on as the paths git does not ignore. Git decides ignoredness, as it does for
// a push: .gitignore at every level, .git/info/exclude, core.excludesFile.
import path from "node:path";
import { watch } from "chokidar";
import type { FSWatcher } from "chokidar";
import { processOutput, runProcess } from "../../common/index.js";

export const DEBOUNCE_MS = 300;

/** Never watched: git's own folder, and replay's records (a replay writes there). */
const NEVER = new Set([".git", ".replay"]);

export interface TreeWatcher {
  /** Resolves once the initial scan is done: changes from then on are reported. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface TreeWatchOptions {
  /** The repository's top folder. */
  dir: string;
  /** Told each burst of changes: repository-relative paths, `/`-separated, sorted. */
  onChange: (files: string[]) => void;
  debounceMs?: number;
}

/** Paths git ignores among `files` (tracked files never are, as for git itself). */
export async function gitIgnored(dir: string, files: readonly string[]): Promise<Set<string>> {
  if (files.length === 0) return new Set();
  // Exit 1 is "none of them"; anything else without output is treated the same: a change is
  // replayed rather than lost.
  // (Unquoted but for the paths with a quote, backslash or control character in them.)
  const r = await runProcess("git", ["-c", "core.quotePath=false", "check-ignore", "--", ...files], { cwd: dir });
  return new Set(r.stdout.split("\n").filter(Boolean));
}

/** What git ignores at the start, folders as one entry (`dir/`): pruned from the watch. */
async function ignoredAtStart(dir: string): Promise<Set<string>> {
  const out = await processOutput("git", ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"], { cwd: dir }).catch(() => "");
  return new Set(out.split("\0").filter(Boolean).map((p) => p.replace(/\/$/, "")));
}

export async function watchTree(o: TreeWatchOptions): Promise<TreeWatcher> {
  const pruned = await ignoredAtStart(o.dir);
  const skip = (abs: string): boolean => {
    const rel = path.relative(o.dir, abs).split(path.sep).join("/");
    if (rel === "" || rel.startsWith("..")) return false;
    const parts = rel.split("/");
    if (NEVER.has(parts[0] ?? "")) return true;
    for (let i = 1; i <= parts.length; i++) if (pruned.has(parts.slice(0, i).join("/"))) return true;
    return false;
  };
  const watcher: FSWatcher = watch(o.dir, { ignored: skip, ignoreInitial: true, persistent: true });
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = async (): Promise<void> => {
    timer = undefined;
    const files = [...pending].sort();
    pending.clear();
    const ignored = await gitIgnored(o.dir, files);
    const kept = files.filter((f) => !ignored.has(f));
    if (kept.length) o.onChange(kept);
  };
  const onEvent = (abs: string): void => {
    pending.add(path.relative(o.dir, abs).split(path.sep).join("/"));
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void flush(), o.debounceMs ?? DEBOUNCE_MS);
  };
  for (const name of ["add", "change", "unlink"] as const) watcher.on(name, onEvent);
  const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  return {
    ready,
    async close() {
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
