import os from "node:os";
import { describe, expect, it } from "vitest";
import { runLabels } from "./labels.js";

describe("runLabels", () => {
  it("names the run, this process, this host and the start time", () => {
    const started = new Date("2025-06-01T12:00:00.000Z");
    expect(runLabels("run-42", started)).toEqual({
      "dev.replay.run": "run-42",
      "dev.replay.pid": String(process.pid),
      "dev.replay.host": os.hostname(),
      "dev.replay.started": "2025-06-01T12:00:00.000Z",
    });
  });
});
