// The TUI's view of the event stream: the run state from the one reducer, each step's
// log lines, and the finished work to print once. Events arrive fast (a chatty step
// prints thousands of lines a second), so they are queued and applied in batches of
// about 50 ms; React reads the result with useSyncExternalStore.
import { assertNever } from "../../common/index.js";
import { initialRunState, reduceRunState } from "../../runners/index.js";
import type { JobStatus, ReplayEvent, RunState } from "../../runners/index.js";
import { attemptsText } from "../reporters/format.js";
import type { PlannedSteps } from "./planned-steps.js";

/** A line printed once, above the live screen (ink's <Static>). */
export type FinishedItem =
  | { id: string; kind: "job"; name: string; result: JobStatus; durationMs: number; failedSteps: string[]; annotations: number; reason?: string; pausedMs?: number; retried?: string[]; degraded?: boolean }
  | { id: string; kind: "note"; text: string; level?: "info" | "warning" };

export interface TuiSnapshot {
  run: RunState;
  /** Log lines by `logKey(jobKey, step)`. The arrays grow in place; `version` says when. */
  logs: ReadonlyMap<string, readonly string[]>;
  finished: readonly FinishedItem[];
  /** The latest informational notice (image builds), shown in the status line. */
  lastNotice?: string;
  /** The steps each job will run, from the plan. */
  planned: PlannedSteps;
  now: number;
  version: number;
}

export const logKey = (jobKey: string, step: number): string => `${jobKey}\0${step}`;

/** Lines kept per step; the run record on disk has them all. */
const MAX_LINES_PER_STEP = 20_000;

export interface TuiStoreOptions {
  batchMs?: number;
  now?: () => number;
}

export class TuiStore {
  private queue: ReplayEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly logs = new Map<string, string[]>();
  private readonly dropped = new Map<string, number>();
  private snapshot: TuiSnapshot;
  private readonly batchMs: number;
  private readonly now: () => number;
  private closed = false;

  constructor(options: TuiStoreOptions = {}) {
    this.batchMs = options.batchMs ?? 50;
    this.now = options.now ?? Date.now;
    this.snapshot = { run: initialRunState, logs: this.logs, finished: [], planned: new Map(), now: this.now(), version: 0 };
  }

  /** Queues an event; the screen sees it with the next batch. */
  push(event: ReplayEvent): void {
    if (this.closed) return;
    this.queue.push(event);
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.batchMs);
  }

  /** Applies every queued event now. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const events = this.queue;
    this.queue = [];
    let { run, finished, lastNotice } = this.snapshot;
    const added: FinishedItem[] = [];
    for (const e of events) {
      run = reduceRunState(run, e);
      switch (e.type) {
        case "step.output":
          this.append(logKey(e.jobKey, e.step), e.line);
          break;
        case "job.completed": {
          const job = run.jobs.find((j) => j.jobKey === e.jobKey);
          const retried = (job?.steps ?? []).flatMap((s) => {
            const text = attemptsText(s.attempts);
            return text ? [`${s.name} ${text}`] : [];
          });
          added.push({
            id: `job:${e.jobKey}`,
            kind: "job",
            name: e.name,
            result: e.result,
            durationMs: e.durationMs,
            failedSteps: (job?.steps ?? []).filter((s) => s.status === "failure").map((s) => s.name),
            annotations: job?.annotations.length ?? 0,
            ...(e.reason === undefined ? {} : { reason: e.reason }),
            ...(e.pausedMs === undefined ? {} : { pausedMs: e.pausedMs }),
            ...(retried.length ? { retried } : {}),
            ...(job?.degraded ? { degraded: true } : {}),
          });
          break;
        }
        case "notice":
          // Image build progress passes through the status line; what concerns a job
          // (a kept container, a job that could not start) and warnings stay on screen.
          if (e.level === "warning" || e.jobKey !== undefined) added.push({ id: `notice:${finished.length + added.length}`, kind: "note", text: e.message, level: e.level });
          else lastNotice = e.message;
          break;
        case "error":
          added.push({ id: `error:${finished.length + added.length}`, kind: "note", text: `error: ${e.message}${e.hint ? ` (hint: ${e.hint})` : ""}`, level: "warning" });
          break;
        case "run.started":
        case "job.started":
        case "step.started":
        case "step.annotation":
        case "step.completed":
        case "job.summary":
        case "run.completed":
          // The reducer has these.
          break;
        default:
          assertNever(e, "event");
      }
    }
    if (added.length) finished = [...finished, ...added];
    this.publish({ ...this.snapshot, run, finished, ...(lastNotice === undefined ? {} : { lastNotice }) });
    this.tickWhileRunning();
  }

  /** The plan's steps, so the tree lists steps before they start. */
  setPlanned(planned: PlannedSteps): void {
    this.publish({ ...this.snapshot, planned });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): TuiSnapshot => this.snapshot;

  /** Lines of a step that were dropped to keep memory bounded (oldest first). */
  droppedLines(jobKey: string, step: number): number {
    return this.dropped.get(logKey(jobKey, step)) ?? 0;
  }

  close(): void {
    this.flush();
    this.closed = true;
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private append(key: string, line: string): void {
    let lines = this.logs.get(key);
    if (!lines) this.logs.set(key, (lines = []));
    lines.push(line);
    if (lines.length > MAX_LINES_PER_STEP) {
      const cut = Math.floor(MAX_LINES_PER_STEP / 10);
      lines.splice(0, cut);
      this.dropped.set(key, (this.dropped.get(key) ?? 0) + cut);
    }
  }

  private publish(next: TuiSnapshot): void {
    this.snapshot = { ...next, logs: this.logs, now: this.now(), version: this.snapshot.version + 1 };
    for (const l of this.listeners) l();
  }

  /** Running durations count up once a second; nothing ticks when nothing runs. */
  private tickWhileRunning(): void {
    const running = this.snapshot.run.status === "running" || this.snapshot.run.status === "pending";
    if (running && this.ticker === undefined && !this.closed) {
      this.ticker = setInterval(() => this.publish(this.snapshot), 1000);
      this.ticker.unref();
    } else if (!running && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }
}
