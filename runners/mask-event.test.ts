import { describe, expect, it } from "vitest";
import type { EventInput } from "./events.js";
import { maskEvent } from "./mask-event.js";
import { Masker } from "./masker.js";

const S = "s3cr3t-value";
const masker = new Masker();
masker.add(S);

describe("maskEvent", () => {
  it.each<[string, EventInput, EventInput]>([
    [
      "an annotation's message, file and title",
      { type: "step.annotation", jobKey: "j", step: 1, level: "error", message: `m ${S}`, file: `${S}.ts`, title: `t ${S}`, line: 3 },
      { type: "step.annotation", jobKey: "j", step: 1, level: "error", message: "m ***", file: "***.ts", title: "t ***", line: 3 },
    ],
    [
      "a job's name, matrix, outputs and reason",
      { type: "job.completed", jobKey: "j", job: "j", workflow: "w.yml", name: `j (${S})`, matrix: { k: [S] }, result: "failure", outputs: { o: S }, durationMs: 1, reason: `no ${S}` },
      { type: "job.completed", jobKey: "j", job: "j", workflow: "w.yml", name: "j (***)", matrix: { k: ["***"] }, result: "failure", outputs: { o: "***" }, durationMs: 1, reason: "no ***" },
    ],
    [
      "a notice and its cache key",
      { type: "notice", level: "info", message: S, cache: { action: "save", result: "saved", key: `k-${S}`, step: 2 } },
      { type: "notice", level: "info", message: "***", cache: { action: "save", result: "saved", key: "k-***", step: 2 } },
    ],
    ["an error and its hint", { type: "error", message: S, hint: S }, { type: "error", message: "***", hint: "***" }],
    ["a summary", { type: "job.summary", jobKey: "j", markdown: `# ${S}` }, { type: "job.summary", jobKey: "j", markdown: "# ***" }],
    ["a step's name", { type: "step.started", jobKey: "j", step: 0, name: S }, { type: "step.started", jobKey: "j", step: 0, name: "***" }],
  ])("masks %s", (_name, event, expected) => {
    expect(maskEvent(event, masker)).toEqual(expected);
  });

  it("leaves the identifiers consumers join on, even when a secret is as short as them", () => {
    const short = new Masker();
    short.add("j");
    short.add("step");
    const e: EventInput = { type: "step.output", jobKey: "j", step: 0, line: "j step" };
    expect(maskEvent(e, short)).toEqual({ type: "step.output", jobKey: "j", step: 0, line: "*** ***" });
  });
});
