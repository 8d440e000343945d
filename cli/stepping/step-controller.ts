// Stepping and breakpoints for an interactive replay. The engine asks this object before
// every step and after every failed one; the answer waits while the step is paused, and
// the TUI (or a test) resolves the pause with next/continue/skip/retry/quit.
import type { StepControl, StepPoint } from "../../runners/index.js";

/** `--break-at`: a step by its name, or by its number (1 is the job's first step). */
export type BreakAt =
  | { kind: "name"; name: string; jobKey?: string }
  | { kind: "number"; number: number; jobKey?: string };

/** What made a step pause. */
export type PauseReason = "stepping" | "breakpoint" | "failure";

export interface Pause {
  /** Unique per pause, so a view can tell a new pause of the same step from the old one. */
  id: number;
  /** `before`: the step has not run yet; `failure`: it ran and failed. */
  kind: "before" | "failure";
  reason: PauseReason;
  point: StepPoint;
}

export interface SteppingSnapshot {
  /** Paused steps, oldest first; at most one per job. */
  pauses: readonly Pause[];
  /** Jobs that pause before each step. */
  stepping: (jobKey: string) => boolean;
  breakpoints: readonly { jobKey: string; step: number }[];
  breakOnFailure: boolean;
  /** `q` was pressed (or the replay was cancelled): nothing pauses any more. */
  quitting: boolean;
}

export interface StepControllerOptions {
  /** `--step`: every job pauses before each of its steps. */
  step?: boolean;
  breakOnFailure?: boolean;
  breakAt?: readonly BreakAt[];
}

type Answer = "run" | "skip" | "retry" | "continue";

interface Waiting extends Pause {
  resolve: (answer: Answer) => void;
}

/** Parses `--break-at`: a whole number is a step number, anything else a step name. */
export function parseBreakAt(value: string): BreakAt {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed) && Number(trimmed) > 0) return { kind: "number", number: Number(trimmed) };
  return { kind: "name", name: trimmed };
}

const sameName = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

export class StepController implements StepControl {
  private readonly waiting: Waiting[] = [];
  private readonly breakAt: readonly BreakAt[];
  private readonly breakpoints = new Map<string, { jobKey: string; step: number }>();
  /** Per job: stepping switched on or off with `s`, `n` or `c`; otherwise `defaultStepping`. */
  private readonly steppingOf = new Map<string, boolean>();
  private readonly defaultStepping: boolean;
  private breakOnFailure: boolean;
  private quitting = false;
  private nextId = 1;
  private readonly listeners = new Set<() => void>();
  private snapshot: SteppingSnapshot;
  private readonly cancel = new AbortController();

  constructor(options: StepControllerOptions = {}) {
    this.defaultStepping = options.step ?? false;
    this.breakOnFailure = options.breakOnFailure ?? false;
    this.breakAt = options.breakAt ?? [];
    this.snapshot = this.takeSnapshot();
  }

  /** Aborted by quit(): the replay command cancels the run on it. */
  get signal(): AbortSignal {
    return this.cancel.signal;
  }

  // --- StepControl, called by the engine -------------------------------------------

  async beforeStep(point: StepPoint): Promise<"run" | "skip"> {
    if (this.quitting) return "skip";
    const reason = this.pauseReason(point);
    if (reason === undefined) return "run";
    const answer = await this.pause("before", reason, point);
    return answer === "skip" ? "skip" : "run";
  }

  async afterFailure(point: StepPoint): Promise<"retry" | "continue"> {
    if (this.quitting || !this.breakOnFailure) return "continue";
    const answer = await this.pause("failure", "failure", point);
    return answer === "retry" ? "retry" : "continue";
  }

  // --- What the user can do ---------------------------------------------------------

  /** The pause of a job, if it is paused. */
  pauseOf(jobKey: string): Pause | undefined {
    const w = this.find(jobKey);
    return w && { id: w.id, kind: w.kind, reason: w.reason, point: w.point };
  }

  /** `n`: run this step (or go on after a failure) and pause before the job's next step. */
  next(jobKey: string): boolean {
    const w = this.find(jobKey);
    if (!w) return false;
    this.steppingOf.set(jobKey, true);
    return this.release(w, w.kind === "before" ? "run" : "continue");
  }

  /** `c`: go on to the end of the job or its next breakpoint. */
  continue(jobKey: string): boolean {
    const w = this.find(jobKey);
    if (!w) return false;
    this.steppingOf.set(jobKey, false);
    return this.release(w, w.kind === "before" ? "run" : "continue");
  }

  /** `k`: do not run the paused step; it counts as skipped. */
  skip(jobKey: string): boolean {
    const w = this.find(jobKey);
    if (!w || w.kind !== "before") return false;
    return this.release(w, "skip");
  }

  /** `r`: run the failed step again, in the same container. */
  retry(jobKey: string): boolean {
    const w = this.find(jobKey);
    if (!w || w.kind !== "failure") return false;
    return this.release(w, "retry");
  }

  /** `s`: pause before each step of this job (or stop doing so). */
  toggleStepping(jobKey: string): void {
    this.steppingOf.set(jobKey, !this.isStepping(jobKey));
    this.changed();
  }

  /** `b`: a breakpoint on a step of a job (its engine index). */
  toggleBreakpoint(jobKey: string, step: number): void {
    const key = `${jobKey}\0${step}`;
    if (this.breakpoints.has(key)) this.breakpoints.delete(key);
    else this.breakpoints.set(key, { jobKey, step });
    this.changed();
  }

  setBreakOnFailure(on: boolean): void {
    this.breakOnFailure = on;
    this.changed();
  }

  /** `q`: cancel the replay; every paused step is let go and nothing pauses again. */
  quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    for (const w of [...this.waiting]) this.release(w, w.kind === "before" ? "skip" : "continue");
    this.cancel.abort();
    this.changed();
  }

  // --- A small external store for the TUI ----------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SteppingSnapshot => this.snapshot;

  // --- Inside ------------------------------------------------------------------------

  private isStepping(jobKey: string): boolean {
    return this.steppingOf.get(jobKey) ?? this.defaultStepping;
  }

  private pauseReason(point: StepPoint): PauseReason | undefined {
    if (this.isStepping(point.jobKey)) return "stepping";
    if (this.breakpoints.has(`${point.jobKey}\0${point.step}`)) return "breakpoint";
    const hit = this.breakAt.some(
      (b) =>
        (b.jobKey === undefined || b.jobKey === point.jobKey) &&
        (b.kind === "name" ? sameName(b.name, point.name) : b.number === point.step + 1),
    );
    return hit ? "breakpoint" : undefined;
  }

  private pause(kind: Pause["kind"], reason: PauseReason, point: StepPoint): Promise<Answer> {
    return new Promise<Answer>((resolve) => {
      this.waiting.push({ id: this.nextId++, kind, reason, point, resolve });
      this.changed();
    });
  }

  private find(jobKey: string): Waiting | undefined {
    return this.waiting.find((w) => w.point.jobKey === jobKey);
  }

  private release(w: Waiting, answer: Answer): boolean {
    const at = this.waiting.indexOf(w);
    if (at < 0) return false;
    this.waiting.splice(at, 1);
    w.resolve(answer);
    this.changed();
    return true;
  }

  private takeSnapshot(): SteppingSnapshot {
    const steppingOf = new Map(this.steppingOf);
    const defaultStepping = this.defaultStepping;
    return {
      pauses: this.waiting.map(({ id, kind, reason, point }) => ({ id, kind, reason, point })),
      stepping: (jobKey) => steppingOf.get(jobKey) ?? defaultStepping,
      breakpoints: [...this.breakpoints.values()],
      breakOnFailure: this.breakOnFailure,
      quitting: this.quitting,
    };
  }

  private changed(): void {
    this.snapshot = this.takeSnapshot();
    for (const l of this.listeners) l();
  }
}
