import type { StepAttempt, StepResult } from "./events.js";

// A step's time as the user reads it: the time it ran, every attempt's together, apart
// from the time it spent paused for the user (stepping, a breakpoint, a failure pause, a
// shell opened there), which can be minutes and says nothing about the step.
export class StepClock {
  private readonly started = Date.now();
  private paused = 0;
  private attemptStarted = this.started;
  readonly attempts: StepAttempt[] = [];

  /** Waits for the user's answer, counting the wait as paused. */
  async pause<T>(answer: Promise<T>): Promise<T> {
    const from = Date.now();
    try {
      return await answer;
    } finally {
      this.paused += Date.now() - from;
    }
  }

  /** The step is about to run (again). */
  beginAttempt(): void {
    this.attemptStarted = Date.now();
  }

  endAttempt(outcome: StepResult): void {
    this.attempts.push({ attempt: this.attempts.length + 1, outcome, durationMs: Date.now() - this.attemptStarted });
  }

  get ranMs(): number {
    return Math.max(0, Date.now() - this.started - this.paused);
  }

  get pausedMs(): number {
    return this.paused;
  }

  /** The fields step.completed adds: attempts only for a retried step, pausedMs only when paused. */
  eventFields(): { pausedMs?: number; attempts?: StepAttempt[] } {
    return { ...(this.paused > 0 ? { pausedMs: this.paused } : {}), ...(this.attempts.length > 1 ? { attempts: [...this.attempts] } : {}) };
  }
}
