import path from "node:path";
import type { BuiltinAction } from "../builtin-actions.js";

/**
 * actions/checkout: the job's workspace already holds the snapshot replay copied in
 * (with .git), so checkout only has to honour `path` and `ref` and set its outputs.
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
    if (target !== workspace) {
      // Move the snapshot to the requested path, as checkout would clone it there.
      const rel = path.posix.relative(workspace, target);
      const r = await host.exec([
        "bash",
        "-c",
        `set -e; tmp=$(mktemp -d "$RUNNER_TEMP/checkout.XXXXXX"); shopt -s dotglob; mv "$0"/* "$tmp"/; mkdir -p "$0/$1"; mv "$tmp"/* "$0/$1"/; rmdir "$tmp"`,
        workspace,
        rel,
      ]);
      if (r.exitCode !== 0) return false;
    }
    const ref = inputs["ref"];
    if (ref && ref !== host.deps.repo.sha && ref !== host.deps.repo.ref && ref !== host.deps.repo.refName) {
      const r = await host.exec(["git", "checkout", "--force", "--quiet", ref], { workdir: target });
      if (r.exitCode !== 0) {
        host.log(`##[error]could not check out '${ref}' from the local repository`);
        return false;
      }
    }
    // fetch-depth (default 1, 0 = all history): make the copied history as shallow as
    // checkout's clone would be, so `git log`/`describe` see what they see on CI.
    const depth = Number(inputs["fetch-depth"] ?? "1");
    // A repository that is shallow itself keeps its own .git/shallow; replay marks the
    // ones it writes so that a later fetch-depth: 0 can give the whole history back.
    const script =
      Number.isInteger(depth) && depth > 0
        ? [
            'set -e; n="$0"',
            "if [ -f .git/shallow ] && [ ! -f .git/replay-shallow ]; then exit 0; fi",
            'commits=$(git rev-list --max-count="$n" HEAD)',
            'for c in $commits; do for p in $(git rev-list --parents -n1 "$c" | cut -d" " -f2-); do',
            '  if ! printf "%s\\n" "$commits" | grep -qx "$p"; then echo "$c"; break; fi',
            "done; done > .git/shallow.replay",
            'if [ -s .git/shallow.replay ]; then mv .git/shallow.replay .git/shallow; touch .git/replay-shallow; else rm -f .git/shallow.replay; fi',
          ].join("\n")
        : "if [ -f .git/replay-shallow ]; then rm -f .git/shallow .git/replay-shallow; fi";
    const r = await host.exec(["bash", "-c", script, String(depth)], { workdir: target, quiet: true });
    if (r.exitCode !== 0) host.log("##[warning]could not set the history to fetch-depth; the full history is there");
    const head = await host.exec(["git", "rev-parse", "HEAD"], { workdir: target, quiet: true });
    host.log(`Using the snapshot of ${current} at ${head.stdout.trim()} (replay's built-in actions/checkout)`);
    host.setOutput("commit", head.stdout.trim());
    host.setOutput("ref", ref || host.deps.repo.ref);
    return true;
  },
};
