import type { ReplayEvent, Reporter } from "../../runners/index.js";

/** `--json`: one event per line on stdout, the contract other tools build on. */
export class JsonReporter implements Reporter {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  onEvent(event: ReplayEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }

  async close(): Promise<void> {}
}
