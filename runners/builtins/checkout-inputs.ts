import type { StepHost } from "../job/step-host.js";

/**
 * actions/checkout's inputs replay's checkout does not honour, each with what replay does
 * instead: a step that gives one gets a warning naming it, never silence. (`repository`
 * of another repository is cloned by checkout-other.ts; `path`, `ref`, `fetch-depth`,
 * `fetch-tags`, `clean`, `lfs`, `sparse-checkout`, `sparse-checkout-cone-mode` and
 * `submodules` are honoured.)
 */
const NOT_HONOURED: Record<string, string> = {
  filter: "the snapshot is not a partial clone",
  token: "nothing is fetched with it",
  "ssh-key": "nothing is fetched over SSH",
  "ssh-known-hosts": "nothing is fetched over SSH",
  "ssh-strict": "nothing is fetched over SSH",
  "ssh-user": "nothing is fetched over SSH",
  "github-server-url": "the snapshot comes from your clone",
};

/** Warns (a warning annotation) about each given input replay does not honour; answers their names. */
export function warnUnhonoured(host: StepHost): string[] {
  // show-progress, set-safe-directory and persist-credentials change nothing here (no
  // clone, no credentials to keep): no warning for those.
  const named = Object.keys(host.inputs).filter((name) => NOT_HONOURED[name] !== undefined && host.inputs[name] !== "");
  // An input whose value is checkout's default changes nothing there either.
  const defaults: Record<string, string> = { "ssh-strict": "true", "ssh-user": "git" };
  const changed = named.filter((name) => defaults[name] !== host.inputs[name]);
  for (const name of changed) host.warn(`actions/checkout input '${name}' is not honoured by replay's built-in checkout: ${NOT_HONOURED[name] ?? ""}`);
  return changed;
}

/** `submodules`: false, true or recursive (checkout's words), undefined for a value it refuses. */
export function submodulesMode(value: string | undefined): "none" | "top" | "recursive" | undefined {
  const v = (value ?? "false").toLowerCase();
  if (v === "false" || v === "") return "none";
  if (v === "true") return "top";
  if (v === "recursive") return "recursive";
  return undefined;
}

/** `sparse-checkout` (patterns, one a line) with `sparse-checkout-cone-mode` (default true). */
export async function sparseCheckout(host: StepHost, target: string, patterns: string, coneMode: string | undefined): Promise<boolean> {
  const list = patterns.split("\n").map((l) => l.trim()).filter(Boolean);
  const cone = (coneMode ?? "true").toLowerCase() !== "false";
  // The index's stat data is the clone's, not the copy's: refreshed first, or git takes
  // every file for modified and leaves it in place.
  const script = 'git update-index -q --refresh; git sparse-checkout set "$@"';
  const r = await host.exec(["sh", "-c", script, "sh", ...(cone ? [] : ["--no-cone"]), ...list], { workdir: target, env: { GIT_LFS_SKIP_SMUDGE: "1" } });
  if (r.exitCode !== 0) host.log("##[error]replay could not set the sparse checkout");
  return r.exitCode === 0;
}
