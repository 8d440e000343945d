import path from "node:path";
import type { BuiltinAction } from "../builtin-actions.js";
import { checkoutSubmodules, sparseCheckout, submodulesMode, warnUnhonoured } from "./checkout-inputs.js";
import { checkoutOther } from "./checkout-other.js";
import { placeSnapshot } from "./checkout-place.js";
import type { StepHost } from "../job/step-host.js";

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
 * moved in (placeSnapshot), then `ref`, `fetch-depth`, `sparse-checkout` and `submodules`
 * are honoured (checkout-inputs.ts warns about the inputs that are not) and the outputs set.
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
    if (other) {
      const commit = await checkoutOther(host, target, { repository, ref: ref ?? "", depth: Number.isInteger(depth) && depth > 0 ? depth : 0, fetchTags: inputs["fetch-tags"] === "true", clean });
      if (commit === undefined) return false;
      host.log(`Checked out ${repository} at ${commit} (replay's built-in actions/checkout)`);
      return (await checkoutAfter(host, target)) && setOutputs(host, commit, ref ?? "");
    }
    if (!(await placeSnapshot(host, target, { clean }))) return false;
    const moved = ref !== undefined && ref !== "" && ref !== host.deps.repo.sha && ref !== host.deps.repo.ref && ref !== host.deps.repo.refName;
    if (moved) {
      const r = await host.exec(["git", "checkout", "--force", "--quiet", ref], { workdir: target });
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
    if (!(await checkoutAfter(host, target))) return false;
    host.log(`Using the snapshot of ${current} at ${commit} (replay's built-in actions/checkout)`);
    return setOutputs(host, commit, ref || host.deps.repo.ref);
  },
};

/** What follows the files in place: `sparse-checkout`, then `submodules`. */
async function checkoutAfter(host: StepHost, target: string): Promise<boolean> {
  const sparse = host.inputs["sparse-checkout"] ?? "";
  if (sparse.trim() !== "" && !(await sparseCheckout(host, target, sparse, host.inputs["sparse-checkout-cone-mode"]))) return false;
  const submodules = submodulesMode(host.inputs["submodules"]) ?? "none";
  return submodules === "none" || (await checkoutSubmodules(host, target, submodules));
}

function setOutputs(host: StepHost, commit: string, ref: string): true {
  host.setOutput("commit", commit);
  host.setOutput("ref", ref);
  return true;
}
