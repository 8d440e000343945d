// A run session owns one replay from its start to its end: it is the one producer of the
// run's events. Whatever makes an event (the engine, a job, a step, a service, the image
// resolver), it goes out through emit: masked, stamped with its time, to every reporter
// (plain, --json, the TUI, the run record). The session emits run.started and
// run.completed itself, and an error that ends the run as a typed error event.
import { ReplayError } from "../common/index.js";
import type { EventInput, ReplayEvent, Reporter, RunResult, RunStartedEvent } from "./events.js";
import { maskEvent } from "./mask-event.js";
import type { Masker } from "./masker.js";
import { errorEventOf, toPublicEvent } from "./public-events.js";

export { newRunId } from "../common/run-id.js";

/** Errors the session has told its reporters of: the CLI does not print them as events again. */
const emitted = new WeakSet<object>();

/** Whether a run session emitted this error as its error event already. */
export function errorWasEmitted(e: unknown): boolean {
  return typeof e === "object" && e !== null && emitted.has(e);
}

/** The error event of a user's mistake (a ReplayError), or of a bug (exit 70). */
function errorEvent(e: unknown): EventInput {
  if (e instanceof ReplayError) return errorEventOf(e);
  return errorEventOf({ message: `replay hit a bug: ${e instanceof Error ? e.message : String(e)}`, exitCode: 70 });
}

/** The `--json` line of an error no session was there to emit (one in the command's arguments, say). */
export function errorEventLine(e: ReplayError): string {
  return `${JSON.stringify(toPublicEvent({ ...errorEvent(e), at: new Date().toISOString() } as ReplayEvent))}\n`;
}

export class RunSession {
  private readonly startedAt = Date.now();

  constructor(
    readonly runId: string,
    private readonly reporters: readonly Reporter[],
    private readonly masker: Masker,
  ) {}

  /** Every event of the run: its texts pass the masker before any reporter sees them. */
  readonly emit = (e: EventInput): void => {
    this.send(maskEvent(e, this.masker));
  };

  private send(e: EventInput): void {
    const event = { ...e, at: new Date().toISOString() } as ReplayEvent;
    for (const r of this.reporters) r.onEvent(event);
  }

  /**
   * A warning that names a secret and never holds one, past the masker: a one-letter
   * secret would mask its own warning.
   */
  warnNamingSecret(message: string): void {
    this.send({ type: "notice", level: "warning", message });
  }

  start(run: Omit<RunStartedEvent, "type" | "at" | "runId">): void {
    this.emit({ type: "run.started", runId: this.runId, ...run });
  }

  complete(result: RunResult, exitCode: number): void {
    this.emit({ type: "run.completed", runId: this.runId, result, exitCode, durationMs: Date.now() - this.startedAt });
  }

  /** An error that ends the run, as the run's error event (the record keeps it); the caller still throws it. */
  fail(e: unknown): void {
    this.emit(errorEvent(e));
    if (typeof e === "object" && e !== null) emitted.add(e);
  }

  /** Every reporter flushed and closed (the run record written). */
  async close(): Promise<void> {
    await Promise.all(this.reporters.map((r) => r.close()));
  }
}
