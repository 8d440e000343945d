import { describeCell } from "../workflows/index.js";
import type { ValueMap } from "../workflows/index.js";

/** Unique, readable keys for the event stream: `build`, `build (20)`, `ci.yml/build`, `call/build`. */
export class JobKeys {
  constructor(
    private readonly prefixWorkflow: boolean,
    private readonly prefix = "",
    private readonly used = new Map<string, number>(),
  ) {}
  key(workflowFile: string, jobId: string, cell: ValueMap | null): string {
    const base = this.prefix ? `${this.prefix}${jobId}` : this.prefixWorkflow ? `${workflowFile.replace(/^.*\//, "")}/${jobId}` : jobId;
    const withCell = cell && Object.keys(cell).length ? `${base} (${describeCell(cell)})` : base;
    const n = (this.used.get(withCell) ?? 0) + 1;
    this.used.set(withCell, n);
    return n === 1 ? withCell : `${withCell} #${n}`;
  }
  /** The key `key` would give now, without taking it. */
  peek(workflowFile: string, jobId: string, cell: ValueMap | null): string {
    const used = new Map(this.used);
    return new JobKeys(this.prefixWorkflow, this.prefix, used).key(workflowFile, jobId, cell);
  }
  /** Keys for the jobs of the workflow a job cell calls: `call-reusable/build`. */
  within(callerKey: string): JobKeys {
    return new JobKeys(false, `${callerKey}/`, this.used);
  }
}
