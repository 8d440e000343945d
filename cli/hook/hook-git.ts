// The few git questions the hook asks, each one command.
import { mkdir } from "node:fs/promises";
import { runProcess, streamProcess } from "../../common/index.js";

async function git(dir: string, args: string[]): Promise<string | undefined> {
  const r = await runProcess("git", args, { cwd: dir });
  return r.exitCode === 0 ? r.stdout : undefined;
}

/** The repository's top folder, or undefined outside a repository. */
export function topLevel(dir: string): Promise<string | undefined> {
  return git(dir, ["rev-parse", "--show-toplevel"]);
}

/** Where git looks for hooks (core.hooksPath respected), relative to `dir` or absolute. */
export async function hooksPath(dir: string): Promise<string | undefined> {
  return git(dir, ["rev-parse", "--git-path", "hooks"]);
}

export function configValue(dir: string, key: string): Promise<string | undefined> {
  return git(dir, ["config", "--get", key]);
}

/** The commit an object names (an annotated tag is peeled), or undefined. */
export function commitOf(dir: string, sha: string): Promise<string | undefined> {
  return git(dir, ["rev-parse", "-q", "--verify", `${sha}^{commit}`]);
}

/** Files that differ between two commits, both sides of a rename included. */
export async function diffNames(dir: string, from: string, to: string): Promise<string[] | undefined> {
  const out = await git(dir, ["diff", "--no-renames", "--name-only", "-z", from, to, "--"]);
  return out === undefined ? undefined : out.split("\0").filter(Boolean);
}

/** Every file of a commit (what a push of a root commit changes). */
export async function treeNames(dir: string, sha: string): Promise<string[] | undefined> {
  const out = await git(dir, ["ls-tree", "-r", "--name-only", "-z", sha]);
  return out === undefined ? undefined : out.split("\0").filter(Boolean);
}

/** Whether the remote has remote-tracking refs here (`refs/remotes/<remote>/…`). */
export async function hasTrackingRefs(dir: string, remote: string): Promise<boolean> {
  const out = await git(dir, ["for-each-ref", "--count=1", "--format=%(refname)", `refs/remotes/${remote}/`]);
  return out !== undefined && out !== "";
}

/**
 * The oldest commit reachable from `sha` that the remote's tracking refs do not reach
 * (undefined when there is none), and its first parent.
 */
export async function oldestNewCommit(dir: string, sha: string, remote: string | undefined): Promise<{ commit: string; parent: string | undefined } | undefined> {
  const not = remote === undefined ? [] : ["--not", `--remotes=${remote}`];
  const out = await git(dir, ["rev-list", "--topo-order", "--reverse", sha, ...not]);
  const commit = out?.split("\n").find(Boolean);
  if (commit === undefined) return undefined;
  const parent = await git(dir, ["rev-parse", "-q", "--verify", `${commit}^1`]);
  return { commit, parent };
}

/** Whether the commit's tree has this folder. */
export async function hasPath(dir: string, sha: string, folder: string): Promise<boolean> {
  const out = await git(dir, ["ls-tree", "-d", "--name-only", sha, "--", folder]);
  return out !== undefined && out.trim() !== "";
}

/** Writes the commit's files under `folder` (or all of them) into `outDir`. */
export async function extractCommit(dir: string, sha: string, outDir: string, folder?: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const paths = folder === undefined ? [] : ["--", folder];
  const archive = streamProcess("git", ["archive", "--format=tar", sha, ...paths], { cwd: dir });
  const untar = streamProcess("tar", ["-x", "-C", outDir], { stdin: "pipe" });
  if (archive.child.stdout && untar.child.stdin) archive.child.stdout.pipe(untar.child.stdin);
  await Promise.all([archive.done, untar.done]);
}

/**
 * The configured remote a push goes to: git passes its name, or the URL twice when the
 * push named a URL (then the remote with that URL, if one has it).
 */
export async function remoteName(dir: string, remote: string | undefined, url: string | undefined): Promise<string | undefined> {
  if (remote !== undefined && (await git(dir, ["config", "--get", `remote.${remote}.url`])) !== undefined) return remote;
  const wanted = url ?? remote;
  if (wanted === undefined) return undefined;
  const all = (await git(dir, ["config", "--get-regexp", "^remote\\..*\\.url$"])) ?? "";
  for (const line of all.split("\n")) {
    const m = /^remote\.(.+)\.url (.*)$/.exec(line);
    if (m && m[2] === wanted) return m[1];
  }
  return undefined;
}

/** What `git push <remote> HEAD` would push from the current branch (for a run by hand). */
export async function upstreamOf(dir: string, remote: string | undefined): Promise<{ localRef: string; localSha: string; remoteSha: string | undefined } | undefined> {
  const branch = await git(dir, ["symbolic-ref", "-q", "HEAD"]);
  const sha = await git(dir, ["rev-parse", "-q", "--verify", "HEAD"]);
  if (branch === undefined || sha === undefined) return undefined;
  const short = branch.replace(/^refs\/heads\//, "");
  const name = remote ?? (await git(dir, ["config", "--get", `branch.${short}.remote`])) ?? "origin";
  const remoteSha = await git(dir, ["rev-parse", "-q", "--verify", `refs/remotes/${name}/${short}`]);
  return { localRef: branch, localSha: sha, remoteSha };
}
