// The interactive replay: when the TUI is used, and what it adds to a replay (its
// reporter, the stepping controller, the cancel signal). Ink and React load only when
// the TUI is actually used, so pipes and CI never pay for them.
import { UsageError } from "../../common/index.js";
import type { Reporter, StepControl } from "../../runners/index.js";
import type { Plan } from "../../workflows/index.js";
import { StepController, openShell, parseBreakAt } from "../stepping/index.js";
import type { BreakAt } from "../stepping/index.js";

export interface InteractiveFlags {
  /** false with --no-tui. */
  tui: boolean;
  json: boolean;
  step: boolean;
  breakOnFailure: boolean;
  breakAt: string[];
}

/** What `is-in-ci` (which Ink itself obeys) counts as CI: then Ink would draw no live frames. */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  if (env["CI"] === "0" || env["CI"] === "false") return false;
  return "CI" in env || "CONTINUOUS_INTEGRATION" in env || Object.keys(env).some((k) => k.startsWith("CI_"));
}

/** The TUI is for a person at a terminal: both ends a TTY, not CI, not --json or --no-tui. */
export function wantsTui(flags: Pick<InteractiveFlags, "tui" | "json">, env: NodeJS.ProcessEnv, stdout: { isTTY?: boolean }, stdin: { isTTY?: boolean }): boolean {
  return flags.tui && !flags.json && stdout.isTTY === true && stdin.isTTY === true && !isCi(env);
}

export interface Interactive {
  reporters: Reporter[];
  control: StepControl;
  /** Aborted by `q`: the replay cancels as on Ctrl-C. */
  signal: AbortSignal;
  onPlan: (plan: Plan) => void;
  /** Takes the screen down if the replay ended before closing its reporters (a refusal). */
  dispose: () => Promise<void>;
}

export interface InteractiveOptions {
  /** Breakpoints besides --break-at (replay debug's, scoped to one job). */
  breakAt?: BreakAt[];
  /** false: the screen closes with the run instead of waiting for q (replay watch). */
  stayOpen?: boolean;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

/**
 * The TUI, the stepping controller and the signal for a replay, or undefined for plain
 * output. Stepping options without a terminal to answer them are refused.
 */
export async function prepareInteractive(flags: InteractiveFlags, o: InteractiveOptions = {}): Promise<Interactive | undefined> {
  const stdout = o.stdout ?? process.stdout;
  const stdin = o.stdin ?? process.stdin;
  const stepping = flags.step || flags.breakOnFailure || flags.breakAt.length > 0 || (o.breakAt?.length ?? 0) > 0;
  if (!wantsTui(flags, o.env ?? process.env, stdout, stdin)) {
    if (stepping) {
      const why = flags.json ? "--json" : !flags.tui ? "--no-tui" : isCi(o.env ?? process.env) ? "CI is set" : "stdin or stdout is not a terminal";
      throw new UsageError(`stepping (--step, --break-on-failure, --break-at, replay debug) needs the interactive screen, and ${why}`, "run it in a terminal, without --json or --no-tui, and with CI unset");
    }
    return undefined;
  }
  const controller = new StepController({
    step: flags.step,
    breakOnFailure: flags.breakOnFailure,
    breakAt: [...flags.breakAt.map(parseBreakAt), ...(o.breakAt ?? [])],
  });
  const { TuiSession } = await import("./tui-session.js");
  // Without a stdin of the caller's, the session reads the terminal itself (see TuiSession).
  const session = new TuiSession({ stepping: controller, openShell: (target) => openShell(target), stdout, ...(o.stayOpen === undefined ? {} : { stayOpen: o.stayOpen }), ...(o.stdin ? { stdin: o.stdin } : {}) });
  return { reporters: [session], control: controller, signal: controller.signal, onPlan: (plan) => session.setPlan(plan), dispose: () => session.close() };
}
