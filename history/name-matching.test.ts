import { describe, expect, it } from "vitest";
import type { Value } from "../workflows/index.js";
import { candidateNames, matchJobs, matchSteps, matrixSuffix, normalizeName } from "./name-matching.js";
import type { LocalJobName } from "./name-matching.js";

const local = (job: string, name: string, matrix: Record<string, Value> | null = null): LocalJobName => ({ job, name, matrix });

describe("matchJobs", () => {
  it.each<[string, string[], LocalJobName[], [string, string, string][]]>([
    ["the same name", ["lint"], [local("lint", "lint")], [["lint", "lint", "name"]]],
    ["a job name: with spaces and case", ["Build And Test"], [local("build", "build and  test")], [["Build And Test", "build and  test", "normalized name"]]],
    [
      "matrix cells by their suffix",
      ["build (18)", "build (20)"],
      [local("build", "build (20)", { node: 20 }), local("build", "build (18)", { node: 18 })],
      [
        ["build (18)", "build (18)", "name"],
        ["build (20)", "build (20)", "name"],
      ],
    ],
    [
      "a matrix cell the replay named by its id only",
      ["test (20, ubuntu-latest)"],
      [local("test", "test", { node: 20, os: "ubuntu-latest" })],
      [["test (20, ubuntu-latest)", "test", "matrix or caller"]],
    ],
    [
      "a called workflow's job: caller / called",
      ["call-build / build (20)"],
      [local("call-build/build", "build (20)", { node: 20 })],
      [["call-build / build (20)", "build (20)", "matrix or caller"]],
    ],
    ["a called job the replay already named caller / called", ["deploy / ship"], [local("deploy/ship", "deploy/ship")], [["deploy / ship", "deploy/ship", "normalized name"]]],
    [
      "an evaluated name against one the replay could not evaluate",
      ["Release v1.2.3 to production"],
      [local("release", "Release ${{ needs.version.outputs.tag }} to ${{ inputs.env }}")],
      [["Release v1.2.3 to production", "Release ${{ needs.version.outputs.tag }} to ${{ inputs.env }}", "expression"]],
    ],
    ["a skipped job the replay shows by id, CI by its evaluated name", ["deploy (production)"], [local("deploy", "deploy")], [["deploy (production)", "deploy", "job id"]]],
    ["two jobs of the same name pair in order", ["x", "x"], [local("a", "x"), local("b", "x")], [["x", "x", "name"], ["x", "x", "name"]]],
  ])("%s", (_what, ci, locals, expected) => {
    const r = matchJobs(ci.map((name) => ({ name })), locals);
    expect(r.pairs.map((p) => [p.ci.name, p.local.name, p.by])).toEqual(expected);
    expect(r.ciOnly).toEqual([]);
    expect(r.localOnly).toEqual([]);
  });

  it("jobs only one side has are left over", () => {
    const r = matchJobs([{ name: "lint" }, { name: "docs" }], [local("lint", "lint"), local("bench", "bench")]);
    expect(r.ciOnly.map((j) => j.name)).toEqual(["docs"]);
    expect(r.localOnly.map((j) => j.name)).toEqual(["bench"]);
  });

  it("a stricter rule wins over an earlier job's looser one", () => {
    // CI's "build" must not take the replay's "Build" when an exact "build" exists.
    const r = matchJobs([{ name: "Build" }, { name: "build" }], [local("b1", "build"), local("b2", "Build")]);
    expect(r.pairs.map((p) => [p.ci.name, p.local.job])).toEqual([["Build", "b2"], ["build", "b1"]]);
  });
});

describe("candidateNames and matrixSuffix", () => {
  it.each<[Record<string, Value> | null, string]>([
    [null, ""],
    [{}, ""],
    [{ node: 20 }, " (20)"],
    [{ node: "20", os: "ubuntu-latest" }, " (20, ubuntu-latest)"],
    [{ cfg: { a: 1 } }, ' ({"a":1})'],
    [{ flag: true }, " (true)"],
  ])("matrix %j gives %j", (m, s) => expect(matrixSuffix(m)).toBe(s));

  it("a called job gets its caller in front", () => {
    expect(candidateNames(local("ci/test", "test (20)", { node: 20 }))).toContain("ci / test (20)");
  });

  it.each([
    ["Caller/Called", "caller / called"],
    ["  a   b ", "a b"],
  ])("normalizeName(%j) is %j", (a, b) => expect(normalizeName(a)).toBe(b));
});

describe("matchSteps", () => {
  const names = (xs: readonly { name: string }[]): { name: string }[] => xs.map((name) => ({ name: name.name }));
  const s = (...n: string[]): { name: string }[] => names(n.map((name) => ({ name })));

  it("pairs by name in order and sets runner bookkeeping aside", () => {
    const r = matchSteps(
      s("Set up job", "Run actions/checkout@v4", "Clippy", "Unit tests", "Post Run actions/checkout@v4", "Complete job"),
      s("Run actions/checkout@v4", "Clippy", "Unit tests"),
    );
    expect(r.steps.map((p) => [p.ci?.name, p.local?.name, p.by])).toEqual([
      ["Run actions/checkout@v4", "Run actions/checkout@v4", "name"],
      ["Clippy", "Clippy", "name"],
      ["Unit tests", "Unit tests", "name"],
    ]);
    expect(r.setAside.map((x) => x.name)).toEqual(["Set up job", "Post Run actions/checkout@v4", "Complete job"]);
  });

  it("a post step the replay has too is matched, not set aside", () => {
    const r = matchSteps(s("Set up job", "Run actions/cache@v4", "Post Run actions/cache@v4", "Complete job"), s("Run actions/cache@v4", "Post Run actions/cache@v4"));
    expect(r.steps.map((p) => p.ci?.name)).toEqual(["Run actions/cache@v4", "Post Run actions/cache@v4"]);
    expect(r.setAside.map((x) => x.name)).toEqual(["Set up job", "Complete job"]);
  });

  it("steps named by an expression pair by position between matched neighbours", () => {
    const r = matchSteps(s("Set up job", "Build", "Test on 20", "Upload"), s("Build", "Test on ${{ matrix.node }}", "Upload"));
    expect(r.steps.map((p) => [p.ci?.name, p.local?.name, p.by])).toEqual([
      ["Build", "Build", "name"],
      ["Test on 20", "Test on ${{ matrix.node }}", "position"],
      ["Upload", "Upload", "name"],
    ]);
  });

  it("steps only one side has stay unpaired when the counts differ", () => {
    const r = matchSteps(s("Build", "Lint", "Docs", "Test"), s("Build", "Bench", "Test"));
    expect(r.steps.map((p) => [p.ci?.name ?? null, p.local?.name ?? null])).toEqual([
      ["Build", "Build"],
      ["Lint", null],
      ["Docs", null],
      [null, "Bench"],
      ["Test", "Test"],
    ]);
  });

  it("repeated step names pair in order", () => {
    const r = matchSteps(s("Run make", "Run make"), s("Run make", "Run make"));
    expect(r.steps.every((p) => p.by === "name")).toBe(true);
    expect(r.steps).toHaveLength(2);
  });
});
