import { describe, expect, it } from "vitest";
import { UsageError } from "../../common/index.js";
import { isCi, prepareInteractive, wantsTui } from "./index.js";

const tty = { isTTY: true };
const pipe = { isTTY: false };
const flags = { tui: true, json: false, step: false, breakOnFailure: false, breakAt: [] as string[] };

describe("when the TUI is used", () => {
  it.each<{ label: string; env: NodeJS.ProcessEnv; out: { isTTY?: boolean }; input: { isTTY?: boolean }; f?: Partial<typeof flags>; tui: boolean }>([
    { label: "a terminal, no CI", env: {}, out: tty, input: tty, tui: true },
    { label: "stdout piped", env: {}, out: pipe, input: tty, tui: false },
    { label: "stdin not a terminal", env: {}, out: tty, input: pipe, tui: false },
    { label: "CI=true", env: { CI: "true" }, out: tty, input: tty, tui: false },
    { label: "CI set to anything", env: { CI: "" }, out: tty, input: tty, tui: false },
    { label: "a CI_* variable (as Ink's own CI check)", env: { CI_JOB_ID: "7" }, out: tty, input: tty, tui: false },
    { label: "CI=false", env: { CI: "false" }, out: tty, input: tty, tui: true },
    { label: "--no-tui", env: {}, out: tty, input: tty, f: { tui: false }, tui: false },
    { label: "--json", env: {}, out: tty, input: tty, f: { json: true }, tui: false },
  ])("$label: $tui", ({ env, out, input, f, tui }) => {
    expect(wantsTui({ ...flags, ...f }, env, out, input)).toBe(tui);
  });

  it("isCi agrees with the table above for CONTINUOUS_INTEGRATION", () => {
    expect(isCi({ CONTINUOUS_INTEGRATION: "1" })).toBe(true);
    expect(isCi({ CI: "0" })).toBe(false);
  });

  it("plain output needs nothing interactive; stepping without a terminal is refused, saying why", async () => {
    const stdout = process.stdout;
    await expect(prepareInteractive({ ...flags, tui: false }, { env: {}, stdout })).resolves.toBeUndefined();
    await expect(prepareInteractive({ ...flags, tui: false, breakOnFailure: true }, { env: {}, stdout })).rejects.toThrow(UsageError);
    await expect(prepareInteractive({ ...flags, json: true, breakAt: ["Test"] }, { env: {}, stdout })).rejects.toThrow(/needs the interactive screen, and --json/);
    await expect(prepareInteractive({ ...flags, step: true }, { env: { CI: "true" }, stdout })).rejects.toThrow(/CI is set/);
  });
});
