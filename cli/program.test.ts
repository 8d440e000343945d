import { afterEach, describe, expect, it, vi } from "vitest";
import { BugError, NotFoundError, ReplayErrorInContext, UsageError, assertNever } from "../common/index.js";
import { reportError } from "./program.js";

/** What reportError wrote to stderr, and the exit status it answered. */
function report(e: unknown): { stderr: string; exit: number } {
  let stderr = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const exit = reportError(e, false);
  vi.restoreAllMocks();
  return { stderr, exit };
}

describe("reportError, the CLI's one handler", () => {
  afterEach(() => vi.restoreAllMocks());

  it("prints a user error's message and hint, no stack, exit 2", () => {
    const { stderr, exit } = report(new NotFoundError("no recorded replay 42 in .replay/runs", { hint: "list them with `replay history`" }));
    expect(stderr).toBe("error: no recorded replay 42 in .replay/runs\nhint: list them with `replay history`\n");
    expect(exit).toBe(2);
  });

  it("keeps a user error's own exit status", () => {
    expect(report(new UsageError("shell 'cmd' runs only on Windows runners", { exitCode: 1 })).exit).toBe(1);
  });

  it("says a wrapped user error with its context, its code and exit status kept", () => {
    const inner = new NotFoundError("no such action", { exitCode: 1 });
    const outer = new ReplayErrorInContext(inner, "ci.yml:3:5: no such action", "fix the uses: line");
    expect([outer.code, outer.exitCode, outer.cause]).toEqual(["not-found", 1, inner]);
    expect(report(outer).stderr).toBe("error: ci.yml:3:5: no such action\nhint: fix the uses: line\n");
  });

  it("prints a BugError as a bug in replay, with its stack, exit 70", () => {
    const bug = new BugError("no source choice for the go image");
    const { stderr, exit } = report(bug);
    expect(stderr).toMatch(/^replay hit a bug; please report it with this output:\nBugError: no source choice for the go image\n\s+at /);
    expect(stderr).not.toMatch(/^error: /m);
    expect(exit).toBe(70);
  });

  it("prints any other exception as a bug too, and assertNever's as one", () => {
    expect(report(new TypeError("x is undefined")).exit).toBe(70);
    let thrown: unknown;
    try {
      assertNever("odd" as never, "route");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(BugError);
    expect(report(thrown).stderr).toContain("BugError: unexpected route: \"odd\"");
  });
});

describe("reportError with --json", () => {
  afterEach(() => vi.restoreAllMocks());

  const stdoutOf = (e: unknown): string => {
    let stdout = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    reportError(e, true);
    vi.restoreAllMocks();
    return stdout;
  };

  it("prints an error no run emitted as one error event of the public contract", () => {
    const line = JSON.parse(stdoutOf(new UsageError("--matrix selects cells of one job", { hint: "use it with `replay job <id>`" }))) as Record<string, unknown>;
    expect(line).toMatchObject({ type: "error", version: 1, message: "--matrix selects cells of one job", hint: "use it with `replay job <id>`", exitCode: 2 });
  });

  it("does not print again an error the run session emitted in the run's stream", async () => {
    const { RunSession } = await import("../runners/run-session.js");
    const { Masker } = await import("../runners/masker.js");
    const e = new UsageError("the snapshot could not be written");
    new RunSession("1", [], new Masker()).fail(e);
    expect(stdoutOf(e)).toBe("");
  });
});
