import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runProcess } from "../../common/index.js";
import { ownerOf, packDir } from "../actions/index.js";
import type { StepHost } from "../job/step-host.js";

const GIT_TIMEOUT_MS = 10 * 60_000;

/** A submodule as a superproject records it: its gitlink (path, commit) and its `.gitmodules` entry. */
export interface Submodule {
  name: string;
  path: string;
  sha: string;
  url: string;
}

/**
 * `submodules: true|recursive`, as checkout runs it (`git submodule sync`, then `update
 * --init --force`, with `--depth` at a fetch-depth and `--recursive`). Git takes a
 * submodule from its folder in `.git/modules` when that has the commit: the snapshot
 * brings your clone's, and where your clone has none (or an older one) and the URL is a
 * path on your machine (absolute, `file://`, or relative to a superproject that is),
 * replay clones it here, on the host, and puts it there first, since the job container
 * cannot reach that path. The rest git clones from the URL inside the container, as on
 * GitHub.
 */
export async function checkoutSubmodules(host: StepHost, target: string, o: { mode: "top" | "recursive"; depth: number; other: boolean; lfs: boolean }): Promise<boolean> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "replay-submodules-"));
  try {
    const top = await containerSubmodules(host, target);
    // Your clone's git folder, which the snapshot copied; another repository's clone is gone.
    const gitDir = o.other ? undefined : path.join(host.deps.repo.dir, ".git");
    // A superproject without a remote is its own upstream (git's words): your clone's folder.
    const base = top.origin || (o.other ? "" : host.deps.repo.dir);
    const shipped = await provide(host, tmp, { gitDir, rel: ".git", base, list: top.list, recursive: o.mode === "recursive" }, target);
    if (shipped.length > 0) host.log(`Submodules copied from your machine: ${shipped.join(", ")} (replay's built-in actions/checkout)`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const script = 'git submodule sync ${1:+"$1"} >/dev/null && git -c protocol.version=2 -c protocol.file.allow=always submodule update --init --force ${1:+"$1"} ${2:+"$2"}';
  const r = await host.exec(["sh", "-c", script, "sh", o.mode === "recursive" ? "--recursive" : "", o.depth > 0 ? `--depth=${o.depth}` : ""], { workdir: target, env: o.lfs ? {} : { GIT_LFS_SKIP_SMUDGE: "1" } });
  if (r.exitCode !== 0) host.log("##[error]replay could not check out the submodules: neither your clone (.git/modules) has them nor could their URLs be cloned from the job container");
  return r.exitCode === 0;
}

/** The superproject's submodules in the container (its index and `.gitmodules`, after the checkout). */
async function containerSubmodules(host: StepHost, target: string): Promise<{ list: Submodule[]; origin: string }> {
  const script = "git config --get remote.origin.url; printf '\\001'; git ls-files -s -z; printf '\\001'; test ! -f .gitmodules || git config -z -f .gitmodules --get-regexp '^submodule\\..*\\.(path|url)$'";
  const r = await host.exec(["sh", "-c", script], { workdir: target, quiet: true });
  const [origin = "", index = "", modules = ""] = r.stdout.split("\u0001");
  const links = index.split("\0").flatMap((l) => (l.startsWith("160000 ") ? [{ sha: l.slice(7, l.indexOf(" ", 7)), path: l.slice(l.indexOf("\t") + 1) }] : []));
  return { list: withNames(links, modules), origin: origin.trim() };
}

/** Gitlinks with the `.gitmodules` names and URLs (`git config -z` output) of their paths. */
export function withNames(links: { sha: string; path: string }[], gitmodules: string): Submodule[] {
  const byName = new Map<string, { path?: string; url?: string }>();
  for (const entry of gitmodules.split("\0").filter(Boolean)) {
    const nl = entry.indexOf("\n");
    const key = entry.slice(0, nl);
    const m = /^submodule\.(.+)\.(path|url)$/.exec(key);
    if (!m?.[1] || !m[2]) continue;
    const e = byName.get(m[1]) ?? {};
    e[m[2] as "path" | "url"] = entry.slice(nl + 1);
    byName.set(m[1], e);
  }
  return links.flatMap((l) => {
    const found = [...byName].find(([, e]) => e.path === l.path);
    return found && found[1].url ? [{ name: found[0], path: l.path, sha: l.sha, url: found[1].url }] : [];
  });
}

/**
 * A submodule URL relative to its superproject's (`./x`, `../x`), resolved as git does:
 * each `../` drops one part of the superproject's URL.
 */
export function resolveUrl(url: string, base: string): string {
  if (!url.startsWith("./") && !url.startsWith("../")) return url;
  let b = base.replace(/\/+$/, "");
  let rest = url;
  for (;;) {
    if (rest.startsWith("./")) rest = rest.slice(2);
    else if (rest.startsWith("../")) {
      rest = rest.slice(3);
      b = b.slice(0, Math.max(b.lastIndexOf("/"), b.lastIndexOf(":"), 0));
    } else break;
  }
  return `${b}/${rest}`;
}

/** The folder a URL names on this machine, if it names one there. */
export function localPath(url: string): string | undefined {
  if (url.startsWith("file://")) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return path.isAbsolute(url) ? url : undefined;
}

type Level = { gitDir: string | undefined; rel: string; base: string; list: Submodule[]; recursive: boolean };

/**
 * Puts in the container, under `<rel>/modules/<name>`, each submodule git would not find
 * there that a path on this machine has; recursively for the nested ones. Answers the
 * submodules' paths it copied.
 */
async function provide(host: StepHost, tmp: string, level: Level, target: string): Promise<string[]> {
  const shipped: string[] = [];
  for (const sm of level.list) {
    const url = resolveUrl(sm.url, level.base);
    const rel = `${level.rel}/modules/${sm.name}`;
    let gitDir = level.gitDir && path.join(level.gitDir, "modules", sm.name);
    if (!gitDir || !(await reachable(gitDir, sm.sha))) {
      const local = localPath(url);
      gitDir = local && existsSync(local) ? await cloneHere(local, sm.sha, await mkdtemp(path.join(tmp, "m-"))) : undefined;
      if (gitDir) {
        await ship(host, target, gitDir, rel);
        shipped.push(sm.path);
      }
    }
    if (!level.recursive || !gitDir) continue;
    const links = (await git(gitDir, "ls-tree", "-r", "-z", sm.sha)).out.split("\0").flatMap((l) => {
      const [mode, , sha = ""] = l.slice(0, l.indexOf("\t")).split(" ");
      return mode === "160000" ? [{ sha, path: l.slice(l.indexOf("\t") + 1) }] : [];
    });
    if (links.length === 0) continue;
    const modules = (await git(gitDir, "config", "-z", "--blob", `${sm.sha}:.gitmodules`, "--get-regexp", "^submodule\\..*\\.(path|url)$")).out;
    const nested = await provide(host, tmp, { gitDir, rel, base: url, list: withNames(links, modules), recursive: true }, target);
    shipped.push(...nested.map((p) => `${sm.path}/${p}`));
  }
  return shipped;
}

/** Whether a git folder has the commit where git's submodule update looks for it (reachable from a ref or HEAD). */
async function reachable(gitDir: string, sha: string): Promise<boolean> {
  if (!existsSync(gitDir)) return false;
  const r = await git(gitDir, "rev-list", "-n", "1", sha, "--not", "--all");
  return r.ok && r.out === "";
}

/** A clone of `url` as git makes a submodule's (its git folder apart), with `sha`; undefined when it cannot be had. */
async function cloneHere(url: string, sha: string, dir: string): Promise<string | undefined> {
  const gitDir = path.join(dir, "git");
  const cloned = await git(dir, "-c", "protocol.file.allow=always", "clone", "-q", "--no-checkout", "--separate-git-dir", gitDir, url, path.join(dir, "tree"));
  if (!cloned.ok) return undefined;
  if (!(await reachable(gitDir, sha))) await git(gitDir, "fetch", "-q", "origin", `${sha}:refs/replay/submodule`);
  return (await reachable(gitDir, sha)) ? gitDir : undefined;
}

/** Replaces `<target>/<rel>` in the container by the host's git folder. */
async function ship(host: StepHost, target: string, gitDir: string, rel: string): Promise<void> {
  await host.exec(["rm", "-rf", rel], { workdir: target, quiet: true });
  await host.container.copyIn(await packDir(gitDir, rel, ownerOf(host.user)), target);
}

async function git(dir: string, ...args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await runProcess("git", ["-C", dir, ...args], { timeoutMs: GIT_TIMEOUT_MS, env: { GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", GIT_CONFIG_NOSYSTEM: "1" } });
  return { ok: r.exitCode === 0, out: r.exitCode === 0 ? r.stdout.trim() : "" };
}
