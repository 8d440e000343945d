import { toPublicEvent } from "../../runners/index.js";
import type { ReplayEvent, Reporter } from "../../runners/index.js";

/** `--json`: one event per line on stdout, in the public contract other tools build on (docs/events.md). */
export class JsonReporter implements Reporter {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  onEvent(event: ReplayEvent): void {
    this.out.write(`${JSON.stringify(toPublicEvent(event))}\n`);
  }

  async close(): Promise<void> {}
}
