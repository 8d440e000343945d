import path from "node:path";
import type { BuiltinAction } from "../builtin-actions.js";
import { placeSnapshot } from "./checkout-place.js";

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
 * moved in (placeSnapshot), then `ref` and `fetch-depth` are honoured and the outputs set.
 */
export const checkout: BuiltinAction = {
  name: "actions/checkout",
  async main(host) {
    const { inputs, workspace } = host;
    const repository = inputs["repository"];
    const current = String(host.deps.repo.fullName);
    if (repository && repository.toLowerCase() !== current.toLowerCase()) {
      host.log(`##[error]replay checks out only the repository being replayed (${current}), not '${repository}'`);
      return false;
    }
    const target = inputs["path"] ? path.posix.resolve(workspace, inputs["path"]) : workspace;
    if (target !== workspace && !target.startsWith(`${workspace}/`)) {
      // checkout's own words (input-helper.ts).
      host.log(`##[error]Repository path '${target}' is not under '${workspace}'`);
      return false;
    }
    if (!(await placeSnapshot(host, target, { clean: (inputs["clean"] ?? "true") !== "false" }))) return false;
    const ref = inputs["ref"];
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
    const depth = Number(inputs["fetch-depth"] ?? "1");
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
    host.log(`Using the snapshot of ${current} at ${commit} (replay's built-in actions/checkout)`);
    host.setOutput("commit", commit);
    host.setOutput("ref", ref || host.deps.repo.ref);
    return true;
  },
};
