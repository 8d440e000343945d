// One line per difference between CI and a replay, saying what differs and, as far as the
// two runs tell, why: a drifted toolchain, a skip after an earlier failure, another commit.
import type { Toolchains } from "./toolchain-scanner.js";

export type Result = "success" | "failure" | "skipped" | "cancelled";

export interface ToolVersions {
  tool: string;
  ci?: string;
  local?: string;
}

/** CI's conclusions in the replay's terms. */
export function asResult(conclusion: string | undefined): Result | undefined {
  switch (conclusion) {
    case "success":
    case "neutral":
      return "success";
    case "failure":
    case "timed_out":
    case "startup_failure":
    case "action_required":
      return "failure";
    case "skipped":
    case "stale":
      return "skipped";
    case "cancelled":
      return "cancelled";
    default:
      return undefined;
  }
}

/** A result as a verdict says it: "passed", "failed", "skipped". */
export function said(result: string | undefined): string {
  if (result === "not-replayed") return "was not replayed";
  switch (asResult(result)) {
    case "success":
      return "passed";
    case "failure":
      return "failed";
    case "skipped":
      return "skipped";
    case "cancelled":
      return "was cancelled";
    default:
      return result ?? "did not finish";
  }
}

const TOOL_KEYWORDS: readonly [RegExp, readonly string[]][] = [
  [/clippy/i, ["clippy"]],
  [/rustfmt|cargo fmt/i, ["rustfmt"]],
  [/\bcargo\b|\brustc\b|\brustup\b|rust-toolchain/i, ["rustc", "cargo"]],
  [/wasm-pack/i, ["wasm-pack"]],
  [/trivy/i, ["trivy"]],
  [/\bnpm\b|\bnpx\b/i, ["node", "npm"]],
  [/\bnode\b|\byarn\b|\bpnpm\b|setup-node/i, ["node"]],
  [/\bpython3?\b|\bpip3?\b|\bpytest\b|setup-python/i, ["python"]],
  [/\bgo (?:build|test|vet|run|mod)\b|setup-go/i, ["go"]],
];

/**
 * The toolchains a step uses: those its name names first (a step called Clippy is about
 * clippy even if its action's inputs mention rustfmt too), then those of what it ran.
 */
export function toolsOf(names: readonly string[], ran: readonly string[] = []): string[] {
  const tools: string[] = [];
  for (const text of [names.join("\n"), ran.join("\n")]) {
    for (const [re, found] of TOOL_KEYWORDS) if (re.test(text)) for (const n of found) if (!tools.includes(n)) tools.push(n);
  }
  return tools;
}

/** The version a side saw last. clippy and rustfmt ship with rustc: they go by its version. */
export function versionOf(toolchains: Toolchains, tool: string): string | undefined {
  if ((tool === "clippy" || tool === "rustfmt") && toolchains["rustc"]?.length) return toolchains["rustc"].at(-1);
  return toolchains[tool]?.at(-1);
}

export interface ResultDifference {
  name: string;
  /** CI's conclusion and the replay's result. */
  ci: string | undefined;
  local: string | undefined;
  tools: readonly ToolVersions[];
  /** The earlier step that failed on each side, if one did. */
  ciFailedBefore?: string;
  localFailedBefore?: string;
  /** The replay refused the step (an action it cannot run yet). */
  replayCannotRun: boolean;
  differentCommit: boolean;
}

/** `Clippy: failed on CI (clippy 1.95.0), passed locally (clippy 1.85.1): toolchain drift` */
export function resultVerdict(d: ResultDifference): string {
  const ci = asResult(d.ci);
  const local = asResult(d.local);
  const drift = d.tools.find((t) => t.ci !== undefined && t.local !== undefined && t.ci !== t.local);
  const shown = drift ?? d.tools.find((t) => t.ci !== undefined || t.local !== undefined);
  const skipped = ci === "skipped" || local === "skipped";
  // A skipped step's versions say nothing: the skip is the difference.
  const ann = (v: string | undefined): string => (shown && v !== undefined && !skipped ? ` (${shown.tool} ${v})` : "");
  let cause: string;
  if (skipped) {
    const failed = ci === "skipped" ? d.ciFailedBefore : d.localFailedBefore;
    const where = ci === "skipped" ? "CI" : "the replay";
    cause = failed ? `${where} skipped it after ${failed} failed` : `its if: condition went the other way in ${where}`;
  } else if (ci === "cancelled" || local === "cancelled") {
    cause = ci === "cancelled" ? "CI's run was cancelled (or timed out)" : "the replay was cancelled";
  } else if (local === "failure" && d.replayCannotRun) {
    // The replay's own limit, not the project's: its error says which issue lifts it.
    cause = "replay cannot run this step yet (see its error below)";
  } else if (drift) {
    cause = "toolchain drift";
  } else if (d.differentCommit) {
    cause = "the commit differs";
  } else {
    cause = "same commit and toolchains: see the log lines (environment, network or a flaky test)";
  }
  return `${d.name}: ${said(d.ci)} on CI${ann(shown?.ci)}, ${said(d.local)} locally${ann(shown?.local)}: ${cause}`;
}

/** A step only one side has. */
export function oneSidedVerdict(name: string, side: "ci" | "local", result: string | undefined, differentCommit: boolean): string {
  const why = differentCommit ? "the workflow may differ between CI's commit and the replay's" : side === "ci" ? "the replay has no such step" : "CI's run has no such step";
  return side === "ci" ? `${name}: ${said(result)} on CI, not in the replay: ${why}` : `${name}: ${said(result)} locally, not on CI: ${why}`;
}
