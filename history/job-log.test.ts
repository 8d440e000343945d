import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CiStep } from "./ci-run.js";
import { isBookkeeping, splitJobLog, stepHeader, stepKind, stepOutput } from "./job-log.js";
import { stripTimestamp } from "./log-normalize.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../shared/fixtures/github-api/rust-gates");
const jobsJson = JSON.parse(readFileSync(path.join(FIXTURES, "jobs.json"), "utf8")) as { jobs: { id: number; name: string; steps: CiStep[] }[] };
const fixtureJob = (name: string): { steps: CiStep[]; log: string } => {
  const j = jobsJson.jobs.find((x) => x.name === name);
  if (!j) throw new Error(name);
  return { steps: j.steps, log: readFileSync(path.join(FIXTURES, `job-${j.id}.txt`), "utf8") };
};
const text = (lines: readonly string[] | undefined): string[] => (lines ?? []).map(stripTimestamp);

describe("stepKind", () => {
  it.each([
    ["Set up job", "setup"],
    ["Initialize containers", "setup"],
    ["Complete job", "complete"],
    ["Stop containers", "complete"],
    ["Post Run actions/checkout@v4", "post"],
    ["Post Cache cargo", "post"],
    ["Pre Run actions/cache@v4", "pre"],
    ["Run actions/checkout@v4", "main"],
    ["Clippy", "main"],
    ["Postgres migrations", "main"],
  ])("%s is %s", (name, kind) => {
    expect(stepKind(name)).toBe(kind);
    expect(isBookkeeping(name)).toBe(kind !== "main");
  });
});

describe("splitJobLog on CI's fast-feedback log", () => {
  const { steps, log } = fixtureJob("fast-feedback");
  // From the workflow: the named steps' headers are their scripts' first lines.
  const scripts: Record<string, string> = {
    Toolchain: "Run rustc --version && cargo --version",
    Format: "Run cargo fmt --all -- --check",
    Clippy: "Run cargo clippy --all-targets -- -D warnings",
    "Unit tests": "Run cargo test --lib",
    "Integration tests": "Run cargo test --test '*'",
  };
  const sections = splitJobLog(log, steps, (s) => (scripts[s.name] ? [scripts[s.name] ?? ""] : []));
  const byName = (name: string): string[] => text(sections.get(steps.find((s) => s.name === name)?.number ?? -1));

  it.each([
    ["Set up job", "Current runner version: '2.329.0'", "Complete job name: fast-feedback"],
    ["Run actions/checkout@v4", "##[group]Run actions/checkout@v4", "3f9c2a7e5b1d4c8a9e0f6b2d7c1a5e8f9b0c3d4e"],
    // A composite action: its inner steps' `Run` headers stay inside it.
    ["Run dtolnay/rust-toolchain@stable", "##[group]Run dtolnay/rust-toolchain@stable", "LLVM version: 20.1.8"],
    ["Toolchain", "##[group]Run rustc --version && cargo --version", "cargo 1.95.0 (f2d3ce0bd 2026-03-21)"],
    ["Format", "##[group]Run cargo fmt --all -- --check", "##[endgroup]"],
    ["Clippy", "##[group]Run cargo clippy --all-targets -- -D warnings", "##[error]Process completed with exit code 101."],
    ["Post Run actions/checkout@v4", "Post job cleanup.", "[command]/usr/bin/git config --local --unset-all http.https://github.com/.extraheader"],
    ["Complete job", "Cleaning up orphan processes", "Cleaning up orphan processes"],
  ])("%s runs from %j to %j", (name, first, last) => {
    const lines = byName(name);
    expect(lines[0]).toBe(first);
    expect(lines.at(-1)).toBe(last);
  });

  it("gives skipped steps no lines", () => {
    expect(sections.has(7)).toBe(false);
    expect(sections.has(8)).toBe(false);
  });

  it("loses no line and repeats none", () => {
    const total = [...sections.values()].reduce((n, s) => n + s.length, 0);
    expect(total).toBe(log.trimEnd().split("\n").length);
  });

  it("without the workflow, a named step takes the next header in order", () => {
    const blind = splitJobLog(log, steps);
    // Toolchain then lands on the composite's first inner header: why the workflow is read.
    expect(text(blind.get(4))[0]).toBe("##[group]Run : parse toolchain version");
    // Steps named after their header are still found by it.
    expect(text(blind.get(2))[0]).toBe("##[group]Run actions/checkout@v4");
  });
});

describe("splitJobLog on CI's lint-strict log", () => {
  const { steps, log } = fixtureJob("lint-strict");
  const sections = splitJobLog(log, steps);
  it.each([
    [3, "##[group]Run hits=$(grep -rnE '\\.(unwrap|expect)\\(' src/ | grep -v '// SAFE:' || true)", "##[error]Process completed with exit code 1."],
    [4, "##[group]Run ! grep -rnE 'TODO|FIXME' src/", "##[endgroup]"],
    [7, "Post job cleanup.", "git version 2.51.2"],
    [8, "Cleaning up orphan processes", "Cleaning up orphan processes"],
  ])("step %i runs from %j to %j", (n, first, last) => {
    const lines = text(sections.get(n));
    expect(lines[0]).toBe(first);
    expect(lines.at(-1)).toBe(last);
  });
});

describe("stepOutput and stepHeader", () => {
  const section = [
    "2026-01-01T00:00:00.0000000Z ##[group]Run npm test",
    "2026-01-01T00:00:00.0000000Z npm test",
    "2026-01-01T00:00:00.0000000Z shell: /usr/bin/bash -e {0}",
    "2026-01-01T00:00:00.0000000Z ##[endgroup]",
    "2026-01-01T00:00:00.0000000Z > test",
    "2026-01-01T00:00:00.0000000Z ##[group]Run inner composite step",
    "2026-01-01T00:00:00.0000000Z inner composite step",
    "2026-01-01T00:00:00.0000000Z ##[endgroup]",
    "2026-01-01T00:00:00.0000000Z ##[group]A group the step printed",
    "2026-01-01T00:00:00.0000000Z inside",
    "2026-01-01T00:00:00.0000000Z ##[endgroup]",
  ];
  it("the output keeps the step's own lines and groups, not the runner's headers", () => {
    expect(text(stepOutput(section))).toEqual(["> test", "##[group]A group the step printed", "inside", "##[endgroup]"]);
  });
  it("the header holds what the step ran", () => {
    expect(stepHeader(section)).toContain("npm test");
    expect(stepHeader(section)).not.toContain("> test");
  });
});

describe("splitJobLog edge cases", () => {
  const step = (number: number, name: string, conclusion = "success"): CiStep => ({ number, name, status: "completed", conclusion });
  it("a log with no step markers is all Set up job", () => {
    const s = splitJobLog("a\nb\n", [step(1, "Set up job"), step(2, "Run x", "failure"), step(3, "Complete job")]);
    expect(s.get(1)).toEqual(["a", "b"]);
    expect(s.has(2)).toBe(false);
  });
  it("a long header matches a name cut short", () => {
    const long = `Run ${"x".repeat(60)}`;
    const s = splitJobLog(`setup\n##[group]${long}\nout\n`, [step(1, "Set up job"), step(2, "Named")], () => [long.slice(0, 40)]);
    expect(s.get(2)).toEqual([`##[group]${long}`, "out"]);
  });
  it("several post steps each start with Post job cleanup.", () => {
    const log = ["setup", "##[group]Run a", "a out", "Post job cleanup.", "post b", "Post job cleanup.", "post a", "Cleaning up orphan processes"].join("\n");
    const s = splitJobLog(log, [step(1, "Set up job"), step(2, "Run a"), step(5, "Post Run b"), step(6, "Post Run a"), step(7, "Complete job")]);
    expect(s.get(5)).toEqual(["Post job cleanup.", "post b"]);
    expect(s.get(6)).toEqual(["Post job cleanup.", "post a"]);
    expect(s.get(7)).toEqual(["Cleaning up orphan processes"]);
  });
});
