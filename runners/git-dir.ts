import { readFileSync, realpathSync, statSync } from "node:fs";
import type { Stats } from "node:fs";
import path from "node:path";

// The repository questions that are files in .git (where the work tree is, what HEAD is,
// origin's default branch), answered by reading them, as git itself would: each git
// process costs a fork, an exec and git's own start, on a machine whose other core is
// compiling replay's code at that moment. Anything that is not the plain case (git's
// variables set, a bare repository, a file system boundary, another owner, reftable,
// a HEAD that is no branch of refs/heads) answers undefined, and git is asked instead.

/** What a .git directory says without git. */
export interface GitDirFacts {
  /** The work tree's top folder (real path, as `git rev-parse --show-toplevel`). */
  dir: string;
  /** The repository's own folder (a worktree's: .git/worktrees/<name>). */
  gitDir: string;
  /** Where refs, objects and config are shared (the main repository's .git). */
  commonDir: string;
  /** HEAD's branch (`main` for refs/heads/main), or undefined when HEAD is detached. */
  branch: string | undefined;
  /** origin's default branch from refs/remotes/origin/HEAD (`trunk`), if it is a symbolic ref there. */
  originHead: string | undefined;
}

/** Variables that move where git finds the repository or its refs: git is asked where any is set. */
const DISCOVERY_VARIABLES = ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_NAMESPACE"];

const readText = (file: string): string | undefined => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};
const statOf = (file: string): Stats | undefined => {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
};

/** The .git facts for a folder of a work tree; undefined where git must be asked. */
export function readGitDir(startDir: string, env: Readonly<Record<string, string | undefined>> = process.env): GitDirFacts | undefined {
  if (DISCOVERY_VARIABLES.some((v) => env[v] !== undefined)) return undefined;
  const uid = process.geteuid?.();
  if (uid === undefined) return undefined;
  let dir: string;
  try {
    dir = realpathSync(startDir);
  } catch {
    return undefined;
  }
  let device: number | undefined;
  for (;;) {
    const here = statOf(dir);
    // git stops at a file system boundary; inside a .git folder it has no work tree.
    if (!here || (device !== undefined && here.dev !== device) || path.basename(dir) === ".git") return undefined;
    device = here.dev;
    // git takes a folder with a HEAD of its own for a bare repository.
    if (statOf(path.join(dir, "HEAD"))) return undefined;
    const dotGit = statOf(path.join(dir, ".git"));
    if (dotGit) return dotGit.uid === uid && here.uid === uid ? factsAt(dir, dotGit.isDirectory(), uid) : undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function factsAt(dir: string, isFolder: boolean, uid: number): GitDirFacts | undefined {
  const dotGit = path.join(dir, ".git");
  let gitDir = dotGit;
  if (!isFolder) {
    // A worktree or submodule: `gitdir: <path>`, relative to the .git file's folder.
    const m = /^gitdir: (.+?)\r?\n?$/.exec(readText(dotGit) ?? "");
    if (!m?.[1]) return undefined;
    gitDir = path.resolve(dir, m[1]);
  }
  const commonFile = readText(path.join(gitDir, "commondir"));
  const commonDir = commonFile === undefined ? gitDir : path.resolve(gitDir, commonFile.trim());
  if (statOf(gitDir)?.uid !== uid || !statOf(path.join(commonDir, "objects"))?.isDirectory() || !statOf(path.join(commonDir, "refs"))?.isDirectory()) return undefined;
  // Refs in a reftable (git 2.45) are no files to read.
  if (statOf(path.join(commonDir, "reftable"))) return undefined;
  const head = readText(path.join(gitDir, "HEAD"))?.trim();
  if (head === undefined) return undefined;
  let branch: string | undefined;
  if (head.startsWith("ref: ")) {
    const target = head.slice(5);
    if (!target.startsWith("refs/heads/") || target === "refs/heads/") return undefined;
    branch = target.slice("refs/heads/".length);
  } else if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(head)) {
    return undefined;
  }
  // A symbolic ref is always a file of its own (packed-refs holds none); one that is not
  // symbolic answers nothing, as `git symbolic-ref -q` does.
  const originHead = /^ref: refs\/remotes\/origin\/(.+)$/.exec(readText(path.join(commonDir, "refs/remotes/origin/HEAD"))?.trim() ?? "")?.[1];
  return { dir, gitDir, commonDir, branch, originHead };
}

/** The config keys readRepoInfo asks git for in one process (`git config -z --get-regexp`). */
export const CONFIG_KEYS = String.raw`^(user\.name|remote\.origin\..*|url\..*\.insteadof|core\.worktree|core\.bare)$`;

/** `git config -z --get-regexp` output: [key, value] in git's order (a key without a value: undefined). */
export function parseConfigList(out: string): [string, string | undefined][] {
  return out
    .split("\0")
    .filter((entry) => entry !== "")
    .map((entry) => {
      const nl = entry.indexOf("\n");
      return nl < 0 ? [entry, undefined] : [entry.slice(0, nl), entry.slice(nl + 1)];
    });
}

/**
 * What `git config user.name` and `git remote get-url origin` answer, from the config
 * entries of CONFIG_KEYS; undefined where the config is not the plain case and git must
 * be asked (a work tree moved by core.worktree, a bare repository, an origin with no
 * url or an empty one, an origin of .git/remotes or .git/branches files).
 */
export function configAnswers(entries: readonly [string, string | undefined][], commonDir: string): { userName: string | undefined; remoteUrl: string | undefined } | undefined {
  let userName: string | undefined;
  const urls: string[] = [];
  let otherOriginKeys = false;
  const insteadOf: [base: string, prefix: string][] = [];
  for (const [key, value] of entries) {
    if (key === "core.worktree" || (key === "core.bare" && !/^(false|no|off|0)$/i.test(value ?? "true"))) return undefined;
    // The last value wins, as `git config <key>` answers.
    if (key === "user.name") userName = value ?? "";
    else if (key === "remote.origin.url") {
      if (!value) return undefined;
      urls.push(value);
    } else if (key.startsWith("remote.origin.")) otherOriginKeys = true;
    else if (key.startsWith("url.") && key.endsWith(".insteadof") && value) insteadOf.push([key.slice(4, -".insteadof".length), value]);
  }
  const url = urls[0];
  if (url === undefined) {
    if (otherOriginKeys || statOf(path.join(commonDir, "remotes/origin")) || statOf(path.join(commonDir, "branches/origin"))) return undefined;
    return { userName, remoteUrl: undefined };
  }
  // `get-url` shows the first url with the longest url.<base>.insteadOf prefix replaced by <base>.
  let best: [string, string] | undefined;
  for (const rule of insteadOf) if (url.startsWith(rule[1]) && rule[1].length > (best?.[1].length ?? 0)) best = rule;
  return { userName, remoteUrl: best ? best[0] + url.slice(best[1].length) : url };
}
