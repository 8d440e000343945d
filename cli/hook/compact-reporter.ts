import { initialRunState, reduceRunState } from "../../runners/index.js";
import type { JobState, ReplayEvent, Reporter, RunState } from "../../runners/index.js";
import { RESULT_MARK, formatDuration } from "../reporters/format.js";


/** How many of the failing step's last log lines the hook shows. */
export const TAIL_LINES = 15;

/**
 * What a pre-push hook should say: one line per job as it finishes, and under a failed
 * job the last lines of the step that failed it. Everything else is in the run record.
 */
export class CompactReporter implements Reporter {
  private state: RunState = initialRunState;
  /** The last lines of each step, by `jobKey#step`. */
  private readonly tails = new Map<string, string[]>();
  private buildingSaid = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly indent = "  ",
  ) {}

  /** The run's state so far (read by the hook for its verdict). */
  get run(): RunState {
    return this.state;
  }

  onEvent(event: ReplayEvent): void {
    this.state = reduceRunState(this.state, event);
    switch (event.type) {
      case "step.output": {
        const key = `${event.jobKey}#${event.step}`;
        const tail = this.tails.get(key) ?? [];
        tail.push(event.line);
        if (tail.length > TAIL_LINES) tail.shift();
        this.tails.set(key, tail);
        break;
      }
      case "job.completed": {
        const job = this.state.jobs.find((j) => j.jobKey === event.jobKey);
        if (job) this.jobLine(job);
        break;
      }
      case "notice":
        if (event.level === "warning") this.write(`warning: ${event.message}`);
        else if (!this.buildingSaid && /^image /.test(event.message)) {
          // Image builds log a lot; once is enough to explain a slow first push.
          this.buildingSaid = true;
          this.write("building replay's runner image (once; later pushes reuse it)…");
        }
        break;
      case "error":
        this.write(`error: ${event.message}`);
        break;
      case "run.started":
      case "job.started":
      case "step.started":
      case "step.annotation":
      case "step.completed":
      case "run.completed":
        break;
    }
  }

  private write(line: string): void {
    this.out.write(`${this.indent}${line}\n`);
  }

  private jobLine(job: JobState): void {
    const took = job.durationMs === undefined ? "" : ` (${formatDuration(job.durationMs)})`;
    const mark = RESULT_MARK[job.status] ?? "?";
    const failedStep = job.status === "failure" ? job.steps.find((s) => s.status === "failure") : undefined;
    const why = failedStep ? ` — step '${failedStep.name}' failed` : job.reason ? ` — ${job.reason}` : job.status === "success" ? "" : ` — ${job.status}`;
    this.write(`${mark} ${job.name}${took}${why}`);
    if (failedStep === undefined) return;
    for (const line of this.tails.get(`${job.jobKey}#${failedStep.index}`) ?? []) this.write(`    | ${line}`);
    for (const a of job.annotations.filter((x) => x.level === "error" && x.step === failedStep.index)) {
      const at = a.file ? `${a.file}${a.line ? `:${a.line}` : ""}: ` : "";
      this.write(`    ${at}${a.message}`);
    }
  }

  async close(): Promise<void> {}
}
