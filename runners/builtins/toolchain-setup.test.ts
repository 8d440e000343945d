import { describe, expect, it } from "vitest";
import type { StepHost } from "../job/step-host.js";
import { chooseVersion } from "./toolchain-setup.js";
import { goAsk, goVersionFile } from "./toolchain-versions.js";

/** The two things chooseVersion says through: log lines and warning annotations. */
function sayings(): { host: StepHost; logs: string[]; warnings: string[] } {
  const logs: string[] = [];
  const warnings: string[] = [];
  const host = { log: (l: string) => logs.push(l), warn: (w: string) => warnings.push(w) } as Pick<StepHost, "log" | "warn">;
  return { host: host as StepHost, logs, warnings };
}

const image = "replay-go:abc";

describe("chooseVersion", () => {
  it("says which of the image's versions it chose", () => {
    const s = sayings();
    expect(chooseVersion(s.host, { tool: "Go", ask: goAsk("1.24"), versions: ["1.24.4"], policy: "fail", image })).toBe("1.24.4");
    expect(s.logs).toEqual(["Go 1.24: the job's image has 1.24.4, which satisfies it (on GitHub, the newest release in that range, which may be newer)"]);
    chooseVersion(s.host, { tool: "Go", ask: goAsk("1.24.4"), versions: ["1.24.4"], policy: "fail", image });
    expect(s.logs[1]).toBe("Go 1.24.4: the job's image has 1.24.4, which satisfies it");
    expect(s.warnings).toEqual([]);
  });
  it("tells a go.mod minimum from the exact version setup-go would install", () => {
    const s = sayings();
    const ask = goVersionFile("go.mod", "go 1.24.0\n");
    if (!ask) throw new Error("no ask");
    chooseVersion(s.host, { tool: "Go", ask, versions: ["1.24.4"], policy: "fail", image });
    expect(s.logs[0]).toContain("a minimum: GitHub's setup action would install exactly 1.24.0");
  });
  it("fails naming the version asked and what the image has", () => {
    const s = sayings();
    expect(() => chooseVersion(s.host, { tool: "Go", ask: goAsk("1.22"), versions: ["1.24.4"], policy: "fail", image })).toThrow(
      "Go 1.22 was asked for, but the job's image replay-go:abc has 1.24.4, and replay cannot download another (GitHub is not reachable). Give a version the image has, or set REPLAY_TOOLCHAIN_MISMATCH=warn to run with the image's 1.24.4",
    );
  });
  it("with warn, goes on with the image's version and a warning annotation saying so", () => {
    const s = sayings();
    expect(chooseVersion(s.host, { tool: "Go", ask: goAsk("1.22"), versions: ["1.24.4"], policy: "warn", image })).toBe("1.24.4");
    expect(s.warnings[0]).toContain("using Go 1.24.4 instead (REPLAY_TOOLCHAIN_MISMATCH=warn)");
  });
  it("warns for stable, which no range decides offline", () => {
    const s = sayings();
    expect(chooseVersion(s.host, { tool: "Go", ask: goAsk("stable"), versions: ["1.24.4"], policy: "fail", image })).toBe("1.24.4");
    expect(s.warnings[0]).toContain("cannot look that up offline and uses the image's Go 1.24.4");
  });
  it("fails when the image has none", () => {
    expect(() => chooseVersion(sayings().host, { tool: "Java", ask: goAsk("17"), versions: [], policy: "warn", image })).toThrow("the job's image replay-go:abc has no Java");
  });
});
