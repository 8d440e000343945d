import { afterEach, describe, expect, it, vi } from "vitest";
import type { EventInput } from "../events.js";
import { Masker } from "../masker.js";
import { newJobState } from "./job-state.js";
import { CommandLines, ProcessStop } from "./step-process.js";

function read(lines: string[], env: Record<string, string> = {}): { events: EventInput[]; state: ReturnType<typeof newJobState>; refused: boolean; masker: Masker } {
  const events: EventInput[] = [];
  const state = newJobState();
  const masker = new Masker();
  const output = new CommandLines(env, { jobKey: "j", step: 3, emit: (e) => events.push(e), masker, state, outputsOf: "build", stateKey: 1 });
  // Split across chunks and streams, as a process's output arrives.
  const text = lines.join("\n");
  output.stdout(Buffer.from(text.slice(0, 5)));
  output.stdout(Buffer.from(text.slice(5)));
  output.stderr(Buffer.from("on stderr\n"));
  return { events, state, masker, ...output.end() };
}

const lines = (events: EventInput[]): string[] => events.flatMap((e) => (e.type === "step.output" ? [e.line] : []));
const annotations = (events: EventInput[]): string[] => events.flatMap((e) => (e.type === "step.annotation" ? [`${e.level}: ${e.message}`] : []));

describe("CommandLines, the one applier of a step's workflow commands", () => {
  it("applies set-output, save-state, add-mask and annotations to the job, with GitHub's deprecation warnings", () => {
    const r = read(["hello", "::set-output name=v::1", "::save-state name=s::x", "::add-mask::hunter2", "::error file=a.ts,line=4::broken"]);
    expect(r.state.steps["build"]?.outputs).toEqual({ v: "1" });
    expect(r.state.state[1]).toEqual({ s: "x" });
    expect(r.masker.mask("pw hunter2")).toBe("pw ***");
    expect(annotations(r.events)).toEqual([
      expect.stringMatching(/^warning: The `set-output` command is deprecated/),
      expect.stringMatching(/^warning: The `save-state` command is deprecated/),
      "error: broken",
    ]);
    expect(r.events.find((e) => e.type === "step.annotation" && e.level === "error")).toMatchObject({ jobKey: "j", step: 3, file: "a.ts", line: 4 });
    expect(lines(r.events)).toContain("hello");
    expect(lines(r.events)).toContain("on stderr");
    expect(r.refused).toBe(false);
  });

  it.each([
    ["refuses ::set-env, failing the step", {}, true, {}],
    ["lets it through with ACTIONS_ALLOW_UNSECURE_COMMANDS", { ACTIONS_ALLOW_UNSECURE_COMMANDS: "true" }, false, { A: "b" }],
  ])("%s", (_, env: Record<string, string>, refused, jobEnv) => {
    const r = read(["::set-env name=A::b"], env);
    expect(r.refused).toBe(refused);
    expect(r.state.env).toEqual(jobEnv);
  });
});

describe("ProcessStop", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("stops what runs when a timeout expires, after saying so, and never for 0 minutes", async () => {
    vi.useFakeTimers();
    const stop = new ProcessStop();
    const said: string[] = [];
    stop.set(async () => void said.push("killed"));
    const none = stop.after(0, () => said.push("never"));
    const timeout = stop.after(2, () => said.push("expired"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect([timeout.expired, said]).toEqual([false, []]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect([timeout.expired, none.expired, said]).toEqual([true, false, ["expired", "killed"]]);
  });

  it("is called off by clear()", async () => {
    vi.useFakeTimers();
    const stop = new ProcessStop();
    const timeout = stop.after(1, () => undefined);
    timeout.clear();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(timeout.expired).toBe(false);
  });
});
