import { initialRunState, reduceRunState } from "../../runners/index.js";
import type { ReplayEvent, Reporter, RunState } from "../../runners/index.js";
import { formatDuration } from "./format.js";

const MARK: Record<string, string> = { success: "✓", failure: "✗", skipped: "-", cancelled: "⊘" };

/**
 * For pipes and CI: a line per step start and end with result and duration, step
 * output indented under it, each line prefixed by its job, and a summary at the end.
 */
export class PlainReporter implements Reporter {
  private state: RunState = initialRunState;

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
        this.line(`${this.prefix(event.jobKey)} job started in ${event.image}`);
        break;
      case "step.started":
        this.line(`${this.prefix(event.jobKey)} ▶ ${event.name}`);
        break;
      case "step.output":
        this.line(`${this.prefix(event.jobKey)}   | ${event.line}`);
        break;
      case "step.completed": {
        const coe = event.outcome !== event.result ? ` (outcome ${event.outcome}, continue-on-error)` : "";
        this.line(`${this.prefix(event.jobKey)} ${MARK[event.result] ?? "?"} ${event.name} — ${event.result}${coe} (${formatDuration(event.durationMs)})`);
        break;
      }
      case "job.completed":
        this.line(`${this.prefix(event.jobKey)} job ${event.result}${event.reason ? `: ${event.reason}` : ""} (${formatDuration(event.durationMs)})`);
        break;
      case "run.completed":
        this.summary(event.durationMs);
        break;
      case "notice":
        this.err.write(`${event.level === "warning" ? "warning" : "note"}: ${event.message}\n`);
        break;
      case "step.annotation":
      case "error":
        break;
    }
  }

  private summary(durationMs: number): void {
    const rows = this.state.jobs.map((j) => [j.name, String(j.status), j.durationMs === undefined ? "" : formatDuration(j.durationMs)]);
    const width = Math.max(3, ...rows.map((r) => (r[0] ?? "").length));
    this.line("");
    this.line(`${"Job".padEnd(width)}  Result     Duration`);
    for (const [name, result, duration] of rows) this.line(`${(name ?? "").padEnd(width)}  ${(result ?? "").padEnd(9)}  ${duration}`);
    const failed = this.state.jobs.filter((j) => j.status === "failure").length;
    this.line(`\n${this.state.jobs.length} job(s), ${failed} failed, in ${formatDuration(durationMs)}`);
  }

  async close(): Promise<void> {}
}
