import { randomUUID } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ReplayError, replayCacheDir, runProcess } from "../../common/index.js";
import { UNREACHABLE_HINT, hostOf, unreachableCause } from "./unreachable-host.js";

/** `owner/repo[/path]@ref`, as a step names a remote action. */
export interface RemoteActionRef {
  owner: string;
  repo: string;
  /** Folder of the action inside the repository; "" for its root. */
  path: string;
  ref: string;
  /** What the reference names, for messages: an action unless said otherwise. */
  names?: "reusable workflow";
}

export interface FetchedAction {
  ref: RemoteActionRef;
  /** The commit `ref` resolved to. */
  commit: string;
  /** The repository at that commit, on the host (the cache entry). */
  repoDir: string;
  /** The action's folder: repoDir/path. */
  dir: string;
}

/** Where remote actions come from; the job runner asks it for each remote `uses:`. */
export interface ActionSource {
  fetch(ref: RemoteActionRef): Promise<FetchedAction>;
  /** Where a repository is cloned from (`<github-url>/<owner>/<repo>.git`), for a checkout of another repository. */
  urlOf?(ref: RemoteActionRef): string;
}

export interface ActionCacheOptions {
  /** The cache folder, `~/.cache/replay/actions` by default. */
  root: string;
  /** `https://github.com` or a GitHub Enterprise Server; repositories are `<url>/<owner>/<repo>.git`. */
  githubUrl: string;
  /** Use the cache only: never run git against the server. */
  offline: boolean;
  /** Told about each clone (for progress lines). */
  onFetch?: (message: string) => void;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;
const SHORT_SHA = /^[0-9a-f]{4,39}$/i;
const GIT_TIMEOUT_MS = 10 * 60_000;

export const describeRef = (r: RemoteActionRef): string => `${r.owner}/${r.repo}${r.path ? `/${r.path}` : ""}@${r.ref}`;

/** `$XDG_CACHE_HOME/replay/actions`, else `~/.cache/replay/actions`. */
export function defaultActionCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return replayCacheDir("actions", env);
}

/** An action that cannot be resolved or fetched; refused before the replay starts. */
export class ActionResolutionError extends ReplayError {
  constructor(message: string, hint: string, cause?: unknown) {
    super("not-found", message, { hint, ...(cause === undefined ? {} : { cause }) });
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Remote actions cloned with git into `<root>/<owner>/<repo>/<commit>`, keyed by the
 * commit the ref resolves to (so a moved tag is fetched again, a pinned SHA never). A
 * tag or branch is resolved with `git ls-remote` (tags first, as git's own rev-parse
 * order has it); a full SHA is used as it is; a short SHA is refused as GitHub refuses
 * it. Each resolution is remembered in `refs.json` so that --offline can use it.
 */
export class ActionCache implements ActionSource {
  private readonly inFlight = new Map<string, Promise<FetchedAction>>();

  constructor(private readonly o: ActionCacheOptions) {}

  get root(): string {
    return this.o.root;
  }

  urlOf(r: RemoteActionRef): string {
    return `${this.o.githubUrl.replace(/\/+$/, "")}/${r.owner}/${r.repo}.git`;
  }

  private repoRoot(r: RemoteActionRef): string {
    return path.join(this.o.root, r.owner.toLowerCase(), r.repo.toLowerCase());
  }

  fetch(r: RemoteActionRef): Promise<FetchedAction> {
    const key = `${r.owner}/${r.repo}@${r.ref}`.toLowerCase();
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.resolveAndFetch(r);
      this.inFlight.set(key, p);
      p.catch(() => this.inFlight.delete(key));
    }
    return p.then((f) => ({ ...f, ref: r, dir: r.path ? path.join(f.repoDir, r.path) : f.repoDir }));
  }

  private async resolveAndFetch(r: RemoteActionRef): Promise<FetchedAction> {
    const commit = this.o.offline ? await this.resolveOffline(r) : await this.resolveOnline(r);
    const repoDir = path.join(this.repoRoot(r), commit);
    if (!(await exists(repoDir))) {
      if (this.o.offline) throw this.missingOffline(r);
      await this.download(r, commit);
    }
    if (!this.o.offline && !FULL_SHA.test(r.ref)) await this.remember(r, commit);
    return { ref: r, commit, repoDir, dir: repoDir };
  }

  private missingOffline(r: RemoteActionRef): ActionResolutionError {
    return new ActionResolutionError(
      `the action \`${describeRef(r)}\` is not in replay's action cache (${this.o.root}) and --offline fetches nothing`,
      "run `replay actions vendor` once with network access (it fetches every action the workflows use), or replay without --offline",
    );
  }

  private async resolveOffline(r: RemoteActionRef): Promise<string> {
    if (FULL_SHA.test(r.ref)) return r.ref.toLowerCase();
    const refs = await this.readRefs(r);
    const known = refs[r.ref];
    if (known) return known;
    if (SHORT_SHA.test(r.ref)) {
      const entries = await readdir(this.repoRoot(r)).catch(() => [] as string[]);
      const matches = entries.filter((e) => FULL_SHA.test(e) && e.startsWith(r.ref.toLowerCase()));
      if (matches.length === 1) throw shortShaError(r, matches[0] as string);
    }
    throw this.missingOffline(r);
  }

  private async resolveOnline(r: RemoteActionRef): Promise<string> {
    if (FULL_SHA.test(r.ref)) return r.ref.toLowerCase();
    const url = this.urlOf(r);
    const ls = await git(["ls-remote", url, `refs/tags/${r.ref}`, `refs/tags/${r.ref}^{}`, `refs/heads/${r.ref}`]);
    if (ls.exitCode !== 0) {
      throw this.unreachable(r, ls.stderr) ?? new ActionResolutionError(
        `Unable to resolve ${kindOf(r)} \`${nameOf(r)}\`, repository not found`,
        `git could not read ${url}: ${lastLine(ls.stderr)}; check the name, or --github-url for a GitHub Enterprise Server`,
      );
    }
    const refs = new Map<string, string>();
    for (const line of ls.stdout.split("\n")) {
      const [sha, name] = line.trim().split(/\s+/);
      if (sha && name) refs.set(name, sha);
    }
    const found = refs.get(`refs/tags/${r.ref}^{}`) ?? refs.get(`refs/tags/${r.ref}`) ?? refs.get(`refs/heads/${r.ref}`);
    if (found) return found.toLowerCase();
    if (SHORT_SHA.test(r.ref)) {
      const full = await this.expandShortSha(r);
      if (full) throw shortShaError(r, full);
    }
    throw new ActionResolutionError(
      `Unable to resolve ${kindOf(r)} \`${nameOf(r)}\`, unable to find version \`${r.ref}\``,
      `${url} has no tag or branch '${r.ref}'; use a tag, a branch or a full commit SHA`,
    );
  }

  /** The full SHA a short one abbreviates (needs the whole history), or undefined. */
  private async expandShortSha(r: RemoteActionRef): Promise<string | undefined> {
    const tmp = path.join(os.tmpdir(), `replay-action-${randomUUID()}`);
    try {
      await mkdir(tmp, { recursive: true });
      if ((await git(["init", "-q", "--bare", tmp])).exitCode !== 0) return undefined;
      const f = await git(["-C", tmp, "fetch", "-q", this.urlOf(r), "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]);
      if (f.exitCode !== 0) return undefined;
      const rev = await git(["-C", tmp, "rev-parse", "--verify", "-q", `${r.ref}^{commit}`]);
      return rev.exitCode === 0 && FULL_SHA.test(rev.stdout.trim()) ? rev.stdout.trim() : undefined;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Fetches the one commit and unpacks its tree into the cache, atomically. */
  private async download(r: RemoteActionRef, commit: string): Promise<void> {
    const url = this.urlOf(r);
    const parent = this.repoRoot(r);
    await mkdir(parent, { recursive: true });
    const tmp = path.join(parent, `.tmp-${randomUUID()}`);
    this.o.onFetch?.(`fetching ${r.owner}/${r.repo}@${r.ref} (${commit.slice(0, 12)}) from ${url}`);
    try {
      const run = async (args: string[]): Promise<{ exitCode: number; stderr: string }> => git(["-C", tmp, ...args]);
      await mkdir(tmp);
      await run(["init", "-q"]);
      let fetched = await run(["fetch", "-q", "--depth", "1", url, commit]);
      if (fetched.exitCode !== 0 && !FULL_SHA.test(r.ref)) {
        // A server that refuses fetching by SHA still serves the ref itself.
        fetched = await run(["fetch", "-q", "--depth", "1", url, `refs/tags/${r.ref}`]);
        if (fetched.exitCode !== 0) fetched = await run(["fetch", "-q", "--depth", "1", url, `refs/heads/${r.ref}`]);
      }
      if (fetched.exitCode !== 0) fetched = await run(["fetch", "-q", url, "+refs/heads/*:refs/remotes/all/*", "+refs/tags/*:refs/tags/*"]);
      const checkout = fetched.exitCode === 0 ? await run(["-c", "advice.detachedHead=false", "checkout", "-q", commit]) : fetched;
      if (checkout.exitCode !== 0) {
        throw this.unreachable(r, checkout.stderr) ?? new ActionResolutionError(
          `Unable to resolve ${kindOf(r)} \`${nameOf(r)}\`, unable to find version \`${r.ref}\``,
          `git could not fetch ${commit} from ${url}: ${lastLine(checkout.stderr)}`,
        );
      }
      await rm(path.join(tmp, ".git"), { recursive: true, force: true });
      await rename(tmp, path.join(parent, commit)).catch(async (e: unknown) => {
        // Another replay fetched the same commit meanwhile: theirs is as good.
        if (!(await exists(path.join(parent, commit)))) throw e;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** The error to give when git failed because the server cannot be reached at all; else undefined. */
  private unreachable(r: RemoteActionRef, gitStderr: string): ActionResolutionError | undefined {
    const cause = unreachableCause(gitStderr);
    if (cause === undefined) return undefined;
    const what = r.names === "reusable workflow" ? `the reusable workflow \`${describeRef(r)}\`` : `\`${describeRef(r)}\``;
    return new ActionResolutionError(`cannot reach ${hostOf(this.o.githubUrl)} to fetch ${what}: ${cause}`, UNREACHABLE_HINT);
  }

  private refsFile(r: RemoteActionRef): string {
    return path.join(this.repoRoot(r), "refs.json");
  }

  private async readRefs(r: RemoteActionRef): Promise<Record<string, string>> {
    try {
      const parsed = JSON.parse(await readFile(this.refsFile(r), "utf8")) as unknown;
      return parsed && typeof parsed === "object" ? (parsed as Record<string, string>) : {};
    } catch {
      return {};
    }
  }

  private async remember(r: RemoteActionRef, commit: string): Promise<void> {
    const refs = await this.readRefs(r);
    if (refs[r.ref] === commit) return;
    refs[r.ref] = commit;
    const tmp = `${this.refsFile(r)}.${randomUUID()}`;
    await mkdir(this.repoRoot(r), { recursive: true });
    await writeFile(tmp, `${JSON.stringify(refs, null, 2)}\n`);
    await rename(tmp, this.refsFile(r));
  }
}

const kindOf = (r: RemoteActionRef): string => r.names ?? "action";
/** GitHub names an action by its repository (`owner/repo@ref`), a reusable workflow by its file too. */
const nameOf = (r: RemoteActionRef): string => (r.names === "reusable workflow" ? describeRef(r) : `${r.owner}/${r.repo}@${r.ref}`);

/** GitHub's refusal of a short SHA, word for word. */
export function shortShaError(r: RemoteActionRef, full: string): ActionResolutionError {
  return new ActionResolutionError(
    `Unable to resolve action \`${r.owner}/${r.repo}@${r.ref}\`, the provided ref \`${r.ref}\` is the shortened version of a commit SHA, which is not supported. Please use the full commit SHA \`${full}\` instead.`,
    `pin the action with the full SHA: uses: ${r.owner}/${r.repo}${r.path ? `/${r.path}` : ""}@${full}`,
  );
}

function lastLine(s: string): string {
  return s.trim().split("\n").pop()?.trim() || "no details";
}

async function git(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await runProcess("git", args, {
    timeoutMs: GIT_TIMEOUT_MS,
    // Never ask for a password on a terminal: a private action fails with git's message.
    env: { GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", GIT_CONFIG_NOSYSTEM: "1" },
  });
  return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
}
