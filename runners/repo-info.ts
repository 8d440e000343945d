import path from "node:path";
import os from "node:os";
import { NotARepositoryError, NotFoundError, runProcess, runProcesses } from "../common/index.js";
import { CONFIG_KEYS, configAnswers, parseConfigList, readGitDir } from "./git-dir.js";

export interface RepoInfo {
  /** The repository's top folder on the host. */
  dir: string;
  owner: string;
  name: string;
  /** owner/name */
  fullName: string;
  sha: string;
  /** refs/heads/<branch>, or refs/tags/<tag> when HEAD is exactly a tag and detached. */
  ref: string;
  refName: string;
  refType: "branch" | "tag";
  defaultBranch: string;
  actor: string;
  remoteUrl?: string;
  headCommit: { id: string; message: string; timestamp: string; author: { name: string; email: string } };
  /** The commit before HEAD, or 40 zeros for a first commit (as GitHub's `before`). */
  before: string;
}

async function git(dir: string, args: string[]): Promise<string | undefined> {
  const r = await runProcess("git", args, { cwd: dir });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

const GITHUB_HOSTS = ["github.com", "www.github.com", "ssh.github.com"];

/** The host of a URL such as --github-url or GITHUB_SERVER_URL (a GHES server), if it is one. */
export function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * owner/name from the remote URL of a repository on GitHub (https, ssh, scp-like), or on
 * one of `moreHosts` (a GitHub Enterprise Server). Any other host's path is not a GitHub
 * repository name, so nothing is guessed from it (a GitLab remote, a local path).
 */
export function parseRemote(url: string, moreHosts: readonly string[] = []): { owner: string; name: string } | undefined {
  const trimmed = url.trim();
  // scp-like `git@host:owner/name`, or a URL with a scheme.
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.*)$/.exec(trimmed);
  let host: string | undefined;
  let rest: string;
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    host = scp[1];
    rest = scp[2] ?? "";
  } else {
    try {
      const u = new URL(trimmed);
      host = u.hostname;
      rest = u.pathname;
    } catch {
      return undefined;
    }
  }
  const hosts = new Set([...GITHUB_HOSTS, ...moreHosts.map((h) => h.toLowerCase())]);
  if (!host || !hosts.has(host.toLowerCase())) return undefined;
  const m = /^\/?([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(rest);
  return m ? { owner: m[1] ?? "", name: m[2] ?? "" } : undefined;
}

export interface RepoInfoOptions {
  /** Where remote actions come from (--github-url): a GHES host names repositories too. */
  githubUrl?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** The answers of git's repository questions (undefined where git had none), as git words them. */
export interface GitAnswers {
  dir: string | undefined;
  log: string | undefined;
  branch: string | undefined;
  described: string | undefined;
  remoteUrl: string | undefined;
  originHead: string | undefined;
  userName: string | undefined;
}

// %P gives HEAD^ (the first parent) without another process.
const LOG = ["git", "log", "-1", "--format=%H%x00%P%x00%an%x00%ae%x00%cI%x00%B", "HEAD"] as const;
// Used only when HEAD is no branch.
const DESCRIBE = ["git", "describe", "--tags", "--exact-match", "HEAD"] as const;
const answer = (r: { exitCode: number | undefined; stdout: string }): string | undefined => (r.exitCode === 0 ? r.stdout.trim() : undefined);

/** Every question asked of git, at once through one shell (common/run-process.ts); each works from any folder of the repository. */
export async function askGit(startDir: string): Promise<GitAnswers> {
  const answers = await runProcesses(
    [
      ["git", "rev-parse", "--show-toplevel"],
      LOG,
      ["git", "symbolic-ref", "--short", "-q", "HEAD"],
      DESCRIBE,
      ["git", "remote", "get-url", "origin"],
      ["git", "symbolic-ref", "--short", "-q", "refs/remotes/origin/HEAD"],
      ["git", "config", "user.name"],
    ],
    { cwd: startDir },
  );
  const [dir, log, branch, described, remoteUrl, originHead, userName] = answers.map(answer);
  return { dir, log, branch, described, remoteUrl, originHead, userName };
}

/**
 * The same answers with .git's files read where they are plain (./git-dir.ts) and git
 * asked only for the commit (and its tag, HEAD detached) and the config, which may come
 * from anywhere (includes, ~/.gitconfig, insteadOf rules): 2 processes instead of 7.
 * undefined where git must be asked everything. (Exported, as askGit, for the test that they agree.)
 */
export async function askGitDir(startDir: string): Promise<GitAnswers | undefined> {
  const facts = readGitDir(startDir);
  if (!facts) return undefined;
  // Each started from Node, not through one shell as askGit does: their answers come
  // through pipes while the replay's code still compiles on this thread, where a shell's
  // answers (files read afterwards, a turn of the busy event loop each) came ~25 ms after it.
  const commands = [LOG, ["git", "config", "-z", "--get-regexp", CONFIG_KEYS] as const, ...(facts.branch === undefined ? [DESCRIBE] : [])];
  const [log, config, described] = await Promise.all(commands.map(([file, ...args]) => runProcess(file, args, { cwd: startDir })));
  // git config's status 1: none of the keys is set; any other failure is git's to word.
  if (!log || !config || (config.exitCode !== 0 && config.exitCode !== 1)) return undefined;
  const fromConfig = configAnswers(config.exitCode === 0 ? parseConfigList(config.stdout) : [], facts.commonDir);
  if (!fromConfig) return undefined;
  return {
    dir: facts.dir,
    log: answer(log),
    branch: facts.branch,
    described: described && answer(described),
    remoteUrl: fromConfig.remoteUrl,
    originHead: facts.originHead === undefined ? undefined : `origin/${facts.originHead}`,
    userName: fromConfig.userName,
  };
}

export async function readRepoInfo(startDir: string, options: RepoInfoOptions = {}): Promise<RepoInfo> {
  const { dir, log, branch, described, remoteUrl, originHead, userName } = (await askGitDir(startDir)) ?? (await askGit(startDir));
  const tag = branch ? undefined : described;
  if (!dir) {
    throw new NotARepositoryError(`${startDir} is not inside a git repository`, {
      hint: "run replay in a git repository (or pass -C <dir>); replay copies the repository's tracked files into each job",
    });
  }
  const [sha, parents = "", an = "", ae = "", date = "", ...msg] = (log ?? "").split("\0");
  if (!sha) throw new NotARepositoryError(`the repository at ${dir} has no commits yet`, { hint: "commit something first" });
  const parent = parents.split(" ")[0] || undefined;
  const env = options.env ?? process.env;
  const moreHosts = [hostOf(options.githubUrl), hostOf(env["GITHUB_SERVER_URL"])].filter((h): h is string => h !== undefined);
  // An origin that is not on GitHub names no GitHub repository: the folder's name stands in.
  const fromRemote = remoteUrl ? parseRemote(remoteUrl, moreHosts) : undefined;
  const owner = fromRemote?.owner ?? "local";
  const name = fromRemote?.name ?? path.basename(dir);
  const defaultBranch = originHead?.replace(/^origin\//, "") ?? branch ?? "main";
  const user = userName ?? os.userInfo().username;
  const info: RepoInfo = {
    dir,
    owner,
    name,
    fullName: `${owner}/${name}`,
    sha,
    ref: branch ? `refs/heads/${branch}` : tag ? `refs/tags/${tag}` : `refs/heads/${defaultBranch}`,
    refName: branch ?? tag ?? defaultBranch,
    refType: tag && !branch ? "tag" : "branch",
    defaultBranch,
    actor: user.replace(/\s+/g, "-"),
    headCommit: { id: sha, message: msg.join("\0").trim(), timestamp: date, author: { name: an, email: ae } },
    before: parent ?? "0".repeat(40),
  };
  if (remoteUrl) info.remoteUrl = remoteUrl;
  return info;
}

/** Files changed between two commits (for path filters); undefined when unknown. */
export async function changedFiles(dir: string, from: string, to: string): Promise<string[] | undefined> {
  if (/^0+$/.test(from)) return undefined;
  const out = await git(dir, ["diff", "--name-only", "-z", from, to]);
  return out === undefined ? undefined : out.split("\0").filter(Boolean);
}

/** The commit a revision (a branch, a tag) names, or undefined where git knows none. */
export async function resolveCommit(dir: string, rev: string): Promise<string | undefined> {
  return git(dir, ["rev-parse", "--verify", "-q", `${rev}^{commit}`]);
}

/**
 * The repository as a push of `sha` to `ref` shows it to GitHub: github.sha, ref and
 * ref_name, head_commit and the payload's `before` are that commit's and that ref's,
 * whatever HEAD is.
 */
export async function repoInfoAt(repo: RepoInfo, at: { sha: string; ref: string; before: string }): Promise<RepoInfo> {
  const log = await git(repo.dir, ["log", "-1", "--format=%an%x00%ae%x00%cI%x00%B", at.sha]);
  if (log === undefined) throw new NotFoundError(`commit ${at.sha} is not in the repository at ${repo.dir}`);
  const [an = "", ae = "", date = "", ...msg] = log.split("\0");
  const tag = at.ref.startsWith("refs/tags/");
  return {
    ...repo,
    sha: at.sha,
    ref: at.ref,
    refName: at.ref.replace(/^refs\/(heads|tags)\//, ""),
    refType: tag ? "tag" : "branch",
    headCommit: { id: at.sha, message: msg.join("\0").trim(), timestamp: date, author: { name: an, email: ae } },
    before: at.before,
  };
}
