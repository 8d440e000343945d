import path from "node:path";
import semver from "semver";
import type { StepHost } from "../job/step-host.js";
import type { VersionAsk } from "./toolchain-versions.js";
import { newestSatisfying } from "./toolchain-versions.js";

// What the built-in setup-go, setup-java and setup-python share: they take the job
// image's toolchain (GitHub is not reachable to download another), so they check that it
// is the version the step asks for and fail the step when it is not, naming both.

/**
 * What a built-in does when the image's toolchain is not the version asked: `fail` the
 * step (the default: a silent difference is a bug), or `warn` and go on with the image's
 * (REPLAY_TOOLCHAIN_MISMATCH=warn).
 */
export type ToolchainMismatch = "fail" | "warn";

export class ToolchainError extends Error {}

/** A warning annotation naming the inputs the original does not have, which it would ignore too. */
export function warnUnknownInputs(host: StepHost, action: string, known: readonly string[]): void {
  const unknown = Object.keys(host.inputs).filter((k) => !known.includes(k));
  if (unknown.length) host.warn(`Unexpected input(s) ${unknown.map((k) => `'${k}'`).join(", ")}, valid inputs are [${known.map((k) => `'${k}'`).join(", ")}] (${action})`);
}

/** The text of a file of the workspace (a version file), or undefined when it is not there. */
export async function readWorkspaceFile(host: StepHost, file: string): Promise<string | undefined> {
  const r = await host.exec(["cat", path.posix.resolve(host.workspace, file)], { quiet: true });
  return r.exitCode === 0 ? r.stdout : undefined;
}

export async function run(host: StepHost, script: string, env: Record<string, string> = {}): Promise<{ ok: boolean; out: string }> {
  const r = await host.exec(["bash", "-c", `${script} 2>&1`], { quiet: true, env });
  return { ok: r.exitCode === 0, out: r.stdout.trim() };
}

/** `ubuntu24-` in the originals' cache keys: the job's ImageOS (the image sets it), or nothing. */
export async function imageOsPart(host: StepHost): Promise<string> {
  const os = (await run(host, 'echo "$ImageOS"')).out;
  return os ? `${os}-` : "";
}

export const isTrue = (v: string | undefined): boolean => (v ?? "").trim().toLowerCase() === "true";

/**
 * Picks the image's version for `ask` among `versions` (newest first that satisfies), says
 * which it chose, or, when none does, fails with what the image has (or, with `warn`, warns
 * and answers the newest of the image's). A word no range decides (`stable`) takes the
 * newest with a warning: replay cannot ask go.dev which release that is today.
 */
export function chooseVersion(host: StepHost, o: { tool: string; ask: VersionAsk; versions: readonly string[]; policy: ToolchainMismatch; image: string }): string {
  const { tool, ask, versions } = o;
  const newest = newestSatisfying(versions, { text: "", range: "*" }) ?? versions[0];
  if (!newest) throw new ToolchainError(`${tool} ${ask.text} was asked for, but the job's image ${o.image} has no ${tool}`);
  if (ask.range === undefined) {
    host.warn(`${tool} '${ask.text}' names whichever release is newest on the day: replay cannot look that up offline and uses the image's ${tool} ${newest}`);
    return newest;
  }
  const chosen = newestSatisfying(versions, ask);
  if (chosen) {
    const exact = semver.valid(semver.coerce(ask.range)) === ask.range.replace(/^v/, "");
    const note = ask.minimum
      ? ` (a minimum: GitHub's setup action would install exactly ${ask.text.split(" ")[0] ?? ""})`
      : exact
        ? ""
        : " (on GitHub, the newest release in that range, which may be newer)";
    host.log(`${tool} ${ask.text}: the job's image has ${chosen}, which satisfies it${note}`);
    return chosen;
  }
  const message = `${tool} ${ask.text} was asked for, but the job's image ${o.image} has ${versions.join(", ")}, and replay cannot download another (GitHub is not reachable)`;
  if (o.policy === "warn") {
    host.warn(`${message}: using ${tool} ${newest} instead (REPLAY_TOOLCHAIN_MISMATCH=warn)`);
    return newest;
  }
  throw new ToolchainError(`${message}. Give a version the image has, or set REPLAY_TOOLCHAIN_MISMATCH=warn to run with the image's ${newest}`);
}
