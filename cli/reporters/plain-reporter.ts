import { initialRunState, reduceRunState } from "../../runners/index.js";
import type { ReplayEvent, Reporter, RunState } from "../../runners/index.js";
import { CacheTally, formatCacheTotal, formatJobCache } from "./cache-tally.js";
import { RESULT_MARK, attemptsText, formatDuration, pausedText } from "./format.js";
import { notReplayedHint } from "./not-replayed-hint.js";


/**
 * For pipes and CI: a line per step start and end with result and duration, step
 * output indented under it, each line prefixed by its job, and a summary at the end.
 */
export class PlainReporter implements Reporter {
  private state: RunState = initialRunState;
  private readonly caches = new CacheTally();

  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  private line(text: string): void {
    this.out.write(`${text}\n`);
  }

  private prefix(jobKey: string): string {
    const job = this.state.jobs.find((j) => j.jobKey === jobKey);
    return `[${job?.name ?? jobKey}]`;
  }

  onEvent(event: ReplayEvent): void {
    this.state = reduceRunState(this.state, event);
    switch (event.type) {
      case "run.started":
        this.line(`replay ${event.runId}: ${event.event} at ${event.sha.slice(0, 12)} (${event.ref}) — ${event.workflows.join(", ")}`);
        break;
      case "job.started":
        this.line(`${this.prefix(event.jobKey)} job started in ${event.image}${event.engine ? ` on ${event.engine}` : ""}`);
        break;
      case "step.started":
        this.line(`${this.prefix(event.jobKey)} ▶ ${event.name}`);
        break;
      case "step.output": {
        // A multi-line workflow command (`::error::a%0Ab`) arrives as one line holding newlines.
        const prefix = this.prefix(event.jobKey);
        for (const l of event.line.split(/\r?\n/)) this.line(`${prefix}   | ${l}`);
        break;
      }
      case "step.completed": {
        const coe = event.outcome !== event.result ? ` (outcome ${event.outcome}, continue-on-error)` : "";
        const attempts = attemptsText(event.attempts);
        this.line(`${this.prefix(event.jobKey)} ${RESULT_MARK[event.result] ?? "?"} ${event.name} — ${event.result}${coe}${attempts ? `, ${attempts}` : ""} (${formatDuration(event.durationMs)})${pausedText(event.pausedMs)}`);
        break;
      }
      case "job.completed":
        this.line(`${this.prefix(event.jobKey)} job ${event.result}${event.reason ? `: ${event.reason}` : ""} (${formatDuration(event.durationMs)})${pausedText(event.pausedMs)}`);
        break;
      case "run.completed":
        this.summary(event.durationMs);
        break;
      case "notice":
        if (event.cache && event.jobKey) this.caches.add(event.jobKey, event.cache);
        this.err.write(`${event.level === "warning" ? "warning" : "note"}: ${event.message}\n`);
        break;
      case "step.annotation":
      case "error":
        break;
    }
  }

  private summary(durationMs: number): void {
    const rows = this.state.jobs.map((j) => [j.name, `${j.status}${j.degraded ? " (degraded)" : ""}`, j.durationMs === undefined ? "" : formatDuration(j.durationMs), formatJobCache(this.caches.job(j.jobKey))]);
    const width = Math.max(3, ...rows.map((r) => (r[0] ?? "").length));
    const resultWidth = Math.max(9, ...rows.map((r) => (r[1] ?? "").length));
    // The cache column only when some job used a cache.
    const cacheCol = (duration: string, cache: string): string => (this.caches.any ? `${duration.padEnd(8)}  ${cache}`.trimEnd() : duration);
    this.line("");
    this.line(`${"Job".padEnd(width)}  ${"Result".padEnd(resultWidth)}  ${cacheCol("Duration", "Cache")}`);
    for (const [name, result, duration, cache] of rows) this.line(`${(name ?? "").padEnd(width)}  ${(result ?? "").padEnd(resultWidth)}  ${cacheCol(duration ?? "", cache ?? "")}`);
    const failed = this.state.jobs.filter((j) => j.status === "failure").length;
    // A cancelled run is not a run with nothing failed: it says so, and what failed before.
    const notReplayed = notReplayedHint(this.state.jobs);
    const counts = `${failed} failed${notReplayed ? `, ${notReplayed.count} not replayed` : ""}`;
    const verdict = this.state.status === "cancelled" ? `${failed || notReplayed ? `${counts}, ` : ""}cancelled after` : `${counts}, in`;
    this.line(`\n${this.state.jobs.length} job(s), ${verdict} ${formatDuration(durationMs)}`);
    if (notReplayed) this.line(`hint: ${notReplayed.hint}`);
    for (const j of this.state.jobs) if (j.degraded) this.line(`degraded: ${j.name}: ${j.degraded}`);
    if (this.caches.any) this.line(formatCacheTotal(this.caches.total()));
  }

  async close(): Promise<void> {}
}
