import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runProcess } from "../../common/index.js";
import { ownerOf, packDir } from "../actions/index.js";
import type { StepHost } from "../job/step-host.js";

const GIT_TIMEOUT_MS = 10 * 60_000;

/**
 * `repository:` of another repository than the one replayed: cloned on the host from
 * where remote actions come from (`--github-url`, github.com or a GitHub Enterprise
 * Server), at `ref` (its default branch without one) and `fetch-depth` (0: all of it,
 * with every tag; at a depth, `fetch-tags` brings those on the commits fetched), then
 * copied into `target`, emptied first unless `clean: false`.
 * Answers the commit, or undefined when it could not (the log says why).
 */
export async function checkoutOther(host: StepHost, target: string, o: { repository: string; ref: string; depth: number; fetchTags: boolean; clean: boolean }): Promise<string | undefined> {
  const [owner = "", repo = ""] = o.repository.split("/");
  const url = host.deps.actions?.source?.urlOf?.({ owner, repo, path: "", ref: o.ref });
  if (!owner || !repo || !url) {
    host.log(`##[error]replay cannot check out '${o.repository}': ${url ? "it is not owner/repo" : "this replay has no source for other repositories"}`);
    return undefined;
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), "replay-checkout-"));
  try {
    const git = async (...args: string[]): Promise<{ ok: boolean; out: string }> => {
      const r = await runProcess("git", ["-C", tmp, ...args], { timeoutMs: GIT_TIMEOUT_MS, env: { GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", GIT_CONFIG_NOSYSTEM: "1" } });
      return { ok: r.exitCode === 0, out: r.exitCode === 0 ? r.stdout.trim() : r.stderr.trim().split("\n").at(-1) ?? "" };
    };
    const depth = o.depth > 0 ? [`--depth=${o.depth}`] : ["--tags"];
    const wanted = o.ref || "HEAD";
    host.log(`Fetching ${o.repository}@${wanted} from ${url}`);
    let fetched = (await git("init", "-q")).ok ? await git("fetch", "-q", ...depth, url, wanted) : { ok: false, out: "git init failed" };
    // A ref given as a short name that git cannot fetch as such: a branch or a tag.
    for (const full of [`refs/heads/${wanted}`, `refs/tags/${wanted}`]) if (!fetched.ok && o.ref) fetched = await git("fetch", "-q", ...depth, url, full);
    if (!fetched.ok) {
      host.log(`##[error]replay could not fetch '${o.repository}' at '${wanted}' from ${url}: ${fetched.out}`);
      return undefined;
    }
    const checkedOut = await git("-c", "advice.detachedHead=false", "checkout", "-q", "FETCH_HEAD");
    const commit = checkedOut.ok ? (await git("rev-parse", "HEAD")).out : "";
    if (!commit) {
      host.log(`##[error]replay could not check out '${o.repository}' at '${wanted}': ${checkedOut.out}`);
      return undefined;
    }
    // Tags as checkout's fetch leaves them: a `ref` that is a tag is fetched as one; at a
    // depth with `fetch-tags`, those on the commits fetched (git's fetch follows those only).
    const fetchedTag = /\ttag '([^']+)' of /.exec(await readFile(path.join(tmp, ".git", "FETCH_HEAD"), "utf8").catch(() => ""))?.[1];
    if (fetchedTag) await git("update-ref", `refs/tags/${fetchedTag}`, "FETCH_HEAD");
    if (o.depth > 0 && o.fetchTags) await fetchTagsInHistory(git, url, depth);
    await git("remote", "add", "origin", url);
    const cleared = o.clean ? await host.exec(["rm", "-rf", target], { workdir: "/" }) : { exitCode: 0 };
    if (cleared.exitCode !== 0) return undefined;
    await host.container.copyIn(await packDir(tmp, path.posix.relative("/", target), ownerOf(host.user)), "/");
    return commit;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Fetches the tags of `url` that are on a commit of the history checked out (HEAD's, as shallow as fetched). */
async function fetchTagsInHistory(git: (...args: string[]) => Promise<{ ok: boolean; out: string }>, url: string, depth: string[]): Promise<void> {
  const history = new Set((await git("rev-list", "HEAD")).out.split("\n"));
  // ls-remote: `<sha>\trefs/tags/x`, then `<commit>\trefs/tags/x^{}` for an annotated tag.
  const commits = new Map<string, string>();
  for (const [sha = "", ref = ""] of (await git("ls-remote", "--tags", url)).out.split("\n").map((l) => l.split("\t"))) {
    if (ref.startsWith("refs/tags/")) commits.set(ref.replace(/\^\{\}$/, ""), sha);
  }
  const wanted = [...commits].filter(([, commit]) => history.has(commit)).map(([ref]) => `+${ref}:${ref}`);
  if (wanted.length > 0) await git("fetch", "-q", ...depth, url, ...wanted);
}
