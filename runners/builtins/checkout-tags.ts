import { writeFile, rm } from "node:fs/promises";
import path from "node:path";
import { runProcess } from "../../common/index.js";
import type { StepHost } from "../job/step-host.js";

/** A tag of your clone: the ref, what it points to, and the commit under it. */
export interface Tag {
  ref: string;
  sha: string;
  commit: string;
}

/**
 * Your clone's tags. The snapshot leaves them out, as checkout's default clone
 * (`--no-tags`) has none but the one it checks out; a checkout that fetches tags gets
 * them back from here.
 */
export async function hostTags(repoDir: string): Promise<Tag[]> {
  const r = await runProcess("git", ["-C", repoDir, "for-each-ref", "--format=%(objectname) %(*objectname) %(refname)", "refs/tags"]);
  if (r.exitCode !== 0) return [];
  return r.stdout.split("\n").flatMap((line) => {
    const [sha = "", peeled = "", ref = ""] = line.split(" ");
    return ref.startsWith("refs/tags/") ? [{ ref, sha, commit: peeled || sha }] : [];
  });
}

/** The tag a `ref:` input names (`v1`, `refs/tags/v1`), if it names one. */
export function tagNamed(tags: readonly Tag[], ref: string): Tag[] {
  return tags.filter((t) => t.ref === ref || t.ref === `refs/tags/${ref}`);
}

/**
 * Creates `tags` in the repository at `target`: all of them (`fetch-depth: 0`, a `ref:`
 * that is a tag), or, with `inHistory`, those on a commit of the history as checked out
 * (`fetch-tags: true` at a depth: the tags git's fetch follows). Answers false when it could not.
 */
export async function restoreTags(host: StepHost, target: string, tags: readonly Tag[], o: { inHistory: boolean }): Promise<boolean> {
  if (tags.length === 0) return true;
  const file = "checkout-tags.txt";
  await writeFile(path.join(host.hostDir, file), tags.map((t) => `${t.commit} ${t.ref} ${t.sha}\n`).join(""));
  try {
    // awk: the history's commits first (from stdin), then the tags on one of them.
    const pick = o.inHistory ? 'git rev-list HEAD | awk \'NR==FNR { c[$1] = 1; next } ($1 in c) { print "update " $2 " " $3 }\' - "$0"' : 'awk \'{ print "update " $2 " " $3 }\' "$0"';
    const r = await host.exec(["sh", "-c", `${pick} | git update-ref --stdin`, `${host.paths.fileCommands}/${file}`], { workdir: target });
    if (r.exitCode !== 0) host.log("##[warning]replay could not create the tags of your clone in the job's repository");
    return r.exitCode === 0;
  } finally {
    await rm(path.join(host.hostDir, file), { force: true });
  }
}
