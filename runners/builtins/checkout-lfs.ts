import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ownerOf, packDir } from "../actions/index.js";
import { localPath, resolveUrl } from "./checkout-submodules.js";
import type { StepHost } from "../job/step-host.js";

/** An LFS file whose content is not in the working tree (a pointer file). */
interface Missing {
  oid: string;
  path: string;
}

/**
 * git-lfs set up in the repository (filters, and hooks where none of the clone's own are
 * in the way), every LFS file smudged from the repository's store (`.git/lfs`, which the
 * snapshot brings from your clone), then the files still pointers; and the origin's URL.
 */
const SMUDGE = [
  "{ git lfs install --local >/dev/null 2>&1 || git lfs install --local --skip-repo >/dev/null; } || exit 1",
  "git lfs checkout >/dev/null 2>&1",
  "git config --get remote.origin.url; printf '\\001'",
  "git lfs ls-files --long",
].join("\n");

/**
 * `lfs: true`: each LFS file's content in place of its pointer, as checkout's `git lfs
 * fetch` and checkout leave it: from your clone's own LFS store when it has the object,
 * else from the remote: a remote that is a path on your machine is read here (its LFS
 * store) and the objects copied into the job, any other is fetched from in the job
 * container (`git lfs fetch`). Files whose content cannot be had stay pointers and get a
 * warning annotation naming them. Answers false when git-lfs could not be set up.
 */
export async function checkoutLfs(host: StepHost, target: string): Promise<boolean> {
  const first = await smudge(host, target);
  if (first === undefined) {
    host.log("##[error]replay could not set up git-lfs in the repository (is git-lfs in the job's image?)");
    return false;
  }
  let missing = first.missing;
  if (missing.length === 0) return true;
  const local = first.origin ? localPath(resolveUrl(first.origin, host.deps.repo.dir)) : undefined;
  if (local) await shipObjects(host, target, local, missing);
  else if (first.origin) await host.exec(["git", "lfs", "fetch", "origin", "HEAD"], { workdir: target });
  missing = (await smudge(host, target))?.missing ?? missing;
  if (missing.length > 0) {
    const where = first.origin ? `nor at its remote (${first.origin})` : "(and it has no remote)";
    host.warn(`Git LFS objects found neither in your clone's LFS store ${where}; these files stay pointer files: ${missing.map((m) => m.path).join(", ")}`);
  }
  return true;
}

async function smudge(host: StepHost, target: string): Promise<{ origin: string; missing: Missing[] } | undefined> {
  const r = await host.exec(["sh", "-c", SMUDGE], { workdir: target, quiet: true });
  if (r.exitCode !== 0) return undefined;
  const [origin = "", list = ""] = r.stdout.split("\u0001");
  return { origin: origin.trim(), missing: parseLsFiles(list) };
}

/** `git lfs ls-files --long` lines (`<oid> <*|-> <path>`): the files that are pointers (`-`). */
export function parseLsFiles(text: string): Missing[] {
  return text.split("\n").flatMap((line) => {
    const m = /^([0-9a-f]{64}) - (.+)$/.exec(line);
    return m?.[1] && m[2] ? [{ oid: m[1], path: m[2] }] : [];
  });
}

/** Copies into the container's LFS store the objects a repository on this machine has (in its `.git/lfs` or, bare, `lfs`). */
async function shipObjects(host: StepHost, target: string, remote: string, missing: Missing[]): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "replay-lfs-"));
  try {
    let found = 0;
    for (const { oid } of missing) {
      const rel = path.join(oid.slice(0, 2), oid.slice(2, 4), oid);
      const from = [path.join(remote, ".git", "lfs", "objects", rel), path.join(remote, "lfs", "objects", rel)].find((f) => existsSync(f));
      if (!from) continue;
      await mkdir(path.dirname(path.join(tmp, rel)), { recursive: true });
      await copyFile(from, path.join(tmp, rel));
      found++;
    }
    if (found > 0) await host.container.copyIn(await packDir(tmp, ".git/lfs/objects", ownerOf(host.user)), target);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
