import path from "node:path";
import type { BuiltinAction } from "../builtin-actions.js";
import { sparseCheckout, submodulesMode, warnUnhonoured } from "./checkout-inputs.js";
import { checkoutLfs } from "./checkout-lfs.js";
import { checkoutOther } from "./checkout-other.js";
import { placeSnapshot } from "./checkout-place.js";
import { checkoutSubmodules } from "./checkout-submodules.js";
import { hostTags, restoreTags, tagNamed } from "./checkout-tags.js";
import type { StepHost } from "../job/step-host.js";

/**
 * For replay's own git commands: the image's git smudges LFS files through its system
 * config, as checkout keeps its git from doing (GIT_LFS_SKIP_SMUDGE) but with `lfs:
 * true`, whose objects checkout-lfs.ts puts in place afterwards.
 */
export const NO_SMUDGE = { GIT_LFS_SKIP_SMUDGE: "1" };

/** What the history scripts print when they could not change the history. */
const SHALLOW_FAILED = "replay: fetch-depth not applied";

/**
 * fetch-depth n > 0 (`$0`): the newest n commits stay, and .git/shallow lists those
 * with a parent outside them, as a clone of that depth has it. It prints HEAD last. One
 * git process and shell built-ins: a process started in a container costs ~5 ms here,
 * and this is on the critical path of nearly every job.
 */
const shallowScript = [
  "shallow() {",
  // A repository that is shallow itself keeps its own .git/shallow.
  "  if [ -f .git/shallow ] && [ ! -f .git/replay-shallow ]; then git rev-parse HEAD; return; fi",
  // Replay's marks (the snapshot's, an earlier checkout's) go first: the depth counts
  // from the whole history.
  "  if [ -f .git/replay-shallow ]; then rm -f .git/shallow .git/replay-shallow || return 1; fi",
  '  list=$(git rev-list --max-count="$1" --parents HEAD) || return 1',
  "  set -f; set -- $list; head=$1",
  '  commits=" "; boundary=""',
  '  while read -r c parents; do commits="$commits$c "; done <<EOF',
  "$list",
  "EOF",
  "  while read -r c parents; do",
  '    for p in $parents; do case "$commits" in *" $p "*) ;; *) boundary="$boundary$c',
  '"; break ;; esac; done',
  "  done <<EOF",
  "$list",
  "EOF",
  // Marked as replay's, so that a later fetch-depth: 0 can give the whole history back.
  '  if [ -n "$boundary" ]; then printf "%s" "$boundary" > .git/shallow && : > .git/replay-shallow || return 1; fi',
  '  echo "$head"',
  "}",
  'shallow "$0" || { echo "$1"; git rev-parse HEAD; }',
].join("\n");

/** fetch-depth 0: the whole history back where replay made it shallow; prints HEAD. */
const unshallowScript = 'if [ -f .git/replay-shallow ]; then rm -f .git/shallow .git/replay-shallow || echo "$1"; fi\ngit rev-parse HEAD';

/**
 * actions/checkout: the job's workspace is empty until now (as on GitHub); the snapshot
 * replay made (with .git, at depth 1 as checkout's default clone) waits beside it and is
 * moved in (placeSnapshot), then `ref`, `fetch-depth` with `fetch-tags`, `lfs`,
 * `sparse-checkout` and `submodules` are honoured (checkout-inputs.ts warns about the
 * inputs that are not) and the outputs set.
 */
export const checkout: BuiltinAction = {
  name: "actions/checkout",
  async main(host) {
    const { inputs, workspace } = host;
    const repository = inputs["repository"];
    const current = String(host.deps.repo.fullName);
    const other = repository !== undefined && repository !== "" && repository.toLowerCase() !== current.toLowerCase();
    const submodules = submodulesMode(inputs["submodules"]);
    if (submodules === undefined) {
      host.log(`##[error]Input 'submodules' must be true, false or recursive, not '${inputs["submodules"] ?? ""}'`);
      return false;
    }
    warnUnhonoured(host);
    const target = inputs["path"] ? path.posix.resolve(workspace, inputs["path"]) : workspace;
    if (target !== workspace && !target.startsWith(`${workspace}/`)) {
      // checkout's own words (input-helper.ts).
      host.log(`##[error]Repository path '${target}' is not under '${workspace}'`);
      return false;
    }
    const clean = (inputs["clean"] ?? "true") !== "false";
    const ref = inputs["ref"];
    const depth = Number(inputs["fetch-depth"] ?? "1");
    // checkout: 0 (or less) for all history, with every tag.
    const allHistory = !(Number.isInteger(depth) && depth > 0);
    const fetchTags = (inputs["fetch-tags"] ?? "false").toLowerCase() === "true";
    if (other) {
      const commit = await checkoutOther(host, target, { repository, ref: ref ?? "", depth: allHistory ? 0 : depth, fetchTags, clean });
      if (commit === undefined) return false;
      host.log(`Checked out ${repository} at ${commit} (replay's built-in actions/checkout)`);
      return (await checkoutAfter(host, target, { depth: allHistory ? 0 : depth, other: true })) && setOutputs(host, commit, ref ?? "");
    }
    if (!(await placeSnapshot(host, target, { clean }))) return false;
    const moved = ref !== undefined && ref !== "" && ref !== host.deps.repo.sha && ref !== host.deps.repo.ref && ref !== host.deps.repo.refName;
    // The snapshot has no tags but the run's own (as the default clone): the others come from your clone.
    const tags = allHistory || fetchTags || moved ? await hostTags(host.deps.repo.dir) : [];
    // A `ref:` that is a tag is fetched as one.
    if (moved && !(await restoreTags(host, target, tagNamed(tags, ref), { inHistory: false }))) return false;
    if (moved) {
      const r = await host.exec(["git", "checkout", "--force", "--quiet", ref], { workdir: target, env: NO_SMUDGE });
      if (r.exitCode !== 0) {
        host.log(`##[error]could not check out '${ref}' from the local repository`);
        return false;
      }
    }
    // fetch-depth (default 1, 0 = all history): make the copied history as shallow as
    // checkout's clone would be, so `git log`/`describe` see what they see on CI.
    let commit = host.deps.repo.sha;
    // The defaults on the snapshot's history as it comes (every checkout places it anew):
    // nothing to change, and no process to start in the container (under load, each took
    // 30-300 ms of the job's time).
    if (!(depth === 1 && !moved && host.deps.workspaceDepthOne)) {
      const script = Number.isInteger(depth) && depth > 0 ? shallowScript : unshallowScript;
      const r = await host.exec(["sh", "-c", script, String(depth), SHALLOW_FAILED], { workdir: target, quiet: true });
      const lines = r.stdout.trim().split("\n");
      if (lines.includes(SHALLOW_FAILED)) host.log("##[warning]could not set the history to fetch-depth; the full history is there");
      commit = r.exitCode === 0 ? (lines.at(-1) ?? "") : "";
    }
    // fetch-depth 0: every tag; fetch-tags at a depth: those git's fetch follows, on the commits fetched.
    if ((allHistory || fetchTags) && !(await restoreTags(host, target, tags, { inHistory: !allHistory }))) return false;
    if (!(await checkoutAfter(host, target, { depth: allHistory ? 0 : depth, other: false }))) return false;
    host.log(`Using the snapshot of ${current} at ${commit} (replay's built-in actions/checkout)`);
    return setOutputs(host, commit, ref || host.deps.repo.ref);
  },
};

/**
 * What follows the files in place: `lfs` (before the sparse checkout, which then drops
 * what it leaves out), `sparse-checkout`, then `submodules`.
 */
async function checkoutAfter(host: StepHost, target: string, o: { depth: number; other: boolean }): Promise<boolean> {
  const lfs = (host.inputs["lfs"] ?? "false").toLowerCase() === "true";
  if (lfs && !(await checkoutLfs(host, target))) return false;
  const sparse = host.inputs["sparse-checkout"] ?? "";
  if (sparse.trim() !== "" && !(await sparseCheckout(host, target, sparse, host.inputs["sparse-checkout-cone-mode"]))) return false;
  const mode = submodulesMode(host.inputs["submodules"]) ?? "none";
  return mode === "none" || (await checkoutSubmodules(host, target, { mode, lfs, ...o }));
}

function setOutputs(host: StepHost, commit: string, ref: string): true {
  host.setOutput("commit", commit);
  host.setOutput("ref", ref);
  return true;
}
