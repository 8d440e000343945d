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
    const head = await host.exec(["git", "rev-parse", "HEAD"], { workdir: target, quiet: true });
    host.log(`Using the snapshot of ${current} at ${head.stdout.trim()} (replay's built-in actions/checkout)`);
    host.setOutput("commit", head.stdout.trim());
    host.setOutput("ref", ref || host.deps.repo.ref);
    return true;
  },
};
