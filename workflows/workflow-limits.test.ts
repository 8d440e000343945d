import { describe, expect, it } from "vitest";
import { formatProblem } from "../common/index.js";
import { expandMatrix } from "./matrix.js";
import { parseWorkflow } from "./parse-workflow.js";
import { MAX_JOBS_PER_WORKFLOW, MAX_STEPS_PER_JOB, MAX_WORKFLOW_FILE_BYTES } from "./workflow-limits.js";
import { parseYamlFile } from "./yaml-source.js";
import { refusal } from "../tests/support/refusal.js";

const problemsOf = (input: string | Uint8Array): string[] => parseWorkflow("w.yml", input).problems.map(formatProblem);
const job = (steps = "      - run: echo\n"): string => `    runs-on: ubuntu-latest\n    steps:\n${steps}`;
const list = (n: number): string => `[${Array.from({ length: n }, (_, i) => i).join(", ")}]`;

/** Nine levels of `&x [*y, …]`: a few hundred bytes that expand to 9^9 values. */
function aliasBomb(): string {
  const lines = ["on: push", "bomb:", `  a: &a [${Array(9).fill('"lol"').join(", ")}]`];
  "bcdefghi".split("").forEach((n, i) => lines.push(`  ${n}: &${n} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(", ")}]`));
  return `${lines.join("\n")}\njobs:\n  a:\n${job()}`;
}

describe("inputs that would crash or run away are refused at their line", () => {
  it("an alias bomb: 'too many aliases' at the alias that passes yaml's limit", () => {
    // a = 10 nodes, b's nine *a = 90, c's nine *b 819 more: the first *c (line 6) passes 1000.
    expect(problemsOf(aliasBomb())).toEqual([
      "w.yml:6:10: too many aliases: '*c' here expands the document past 1000 nodes (yaml's maxAliasCount), as an alias bomb does",
    ]);
  });

  it("an alias bomb in replay's own YAML files too (`.replay.yml`)", () => {
    const r = parseYamlFile(".replay.yml", aliasBomb());
    expect(r.value).toBeUndefined();
    expect(r.problems.map(formatProblem)).toEqual([expect.stringMatching(/^\.replay\.yml:6:10: too many aliases/)]);
  });

  it("anchors and aliases as real workflows use them still load", () => {
    const text = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env: &env\n      A: 1\n    steps:\n      - run: echo\n        env: *env\n`;
    expect(problemsOf(text)).toEqual([]);
  });

  it.each([
    ["a Latin-1 byte", Buffer.concat([Buffer.from("on: push\njobs:\n  a:\n    name: caf"), Buffer.from([0xe9]), Buffer.from("\n" + job())]), "w.yml:4:14: invalid UTF-8 (byte 0xe9 at offset 33)"],
    // A U+FFFD written in the file and a 4-byte character before the bad byte: the column
    // counts UTF-16 units, as editors and GitHub's parser do (the emoji is two).
    ["after a written U+FFFD and an emoji", Buffer.concat([Buffer.from("on: push\njobs:\n  a:\n    name: \uFFFD😀x"), Buffer.from([0xc3, 0x28]), Buffer.from("\n" + job())]), "w.yml:4:15: invalid UTF-8 (byte 0xc3 at offset 38)"],
  ])("bytes that are not UTF-8 (%s), at their line and column", (_what, bytes, expected) => {
    expect(problemsOf(bytes)).toEqual([expect.stringContaining(expected)]);
  });

  it("UTF-8 text as bytes loads as it does as a string", () => {
    const text = `on: push\njobs:\n  a:\n    name: "café 😀 \uFFFD"\n${job()}`;
    expect(parseWorkflow("w.yml", Buffer.from(text)).workflow?.jobs[0]?.name).toBe("café 😀 \uFFFD");
  });

  it("a file over the size limit, at the line that passes it, before reading its YAML", () => {
    const step = "      - run: echo hello\n";
    const text = `on: push\njobs:\n  a:\n${job(step.repeat(Math.ceil(MAX_WORKFLOW_FILE_BYTES / step.length) + 10))}`;
    const problems = parseWorkflow("w.yml", Buffer.from(text)).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/^the file has 10\d\d KiB; replay reads workflow files of at most 1024 KiB/);
    expect(problems[0]?.line).toBe(text.slice(0, MAX_WORKFLOW_FILE_BYTES).split("\n").length);
    expect(problems[0]?.line).toBeGreaterThan(40_000);
  });

  it("too many jobs: at the first job past the limit", () => {
    const jobs = Array.from({ length: MAX_JOBS_PER_WORKFLOW + 5 }, (_, i) => `  j${i}:\n${job()}`).join("");
    expect(problemsOf(`on: push\njobs:\n${jobs}`)).toEqual([
      `w.yml:${2 + MAX_JOBS_PER_WORKFLOW * 4 + 1}:3: the workflow has ${MAX_JOBS_PER_WORKFLOW + 5} jobs; replay reads at most ${MAX_JOBS_PER_WORKFLOW} jobs per workflow`,
    ]);
  });

  it("too many steps in a job: at the first step past the limit", () => {
    expect(problemsOf(`on: push\njobs:\n  a:\n${job("      - run: echo\n".repeat(MAX_STEPS_PER_JOB + 1))}`)).toEqual([
      `w.yml:${6 + MAX_STEPS_PER_JOB}:9: job 'a' has ${MAX_STEPS_PER_JOB + 1} steps; replay runs at most ${MAX_STEPS_PER_JOB} steps per job`,
    ]);
  });
});

describe("a matrix past GitHub's 256 jobs", () => {
  const matrixJob = (matrix: string): string => `on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n${matrix}    steps:\n      - run: echo\n`;

  it("17 × 17 = 289 cells: refused at `strategy.matrix`", () => {
    expect(problemsOf(matrixJob(`        a: ${list(17)}\n        b: ${list(17)}\n`))).toEqual([
      "w.yml:6:7: job 't': the matrix makes 289 jobs; GitHub runs at most 256 jobs of a matrix and refuses the workflow",
    ]);
  });

  it.each([
    ["16 × 16 = 256 cells", `        a: ${list(16)}\n        b: ${list(16)}\n`],
    ["289 cells less 33 excluded", `        a: ${list(17)}\n        b: ${list(17)}\n        exclude:\n          - a: 0\n          - b: 0\n`],
    ["a vector computed at run time", `        a: \${{ fromJSON(needs.x.outputs.list) }}\n        b: ${list(17)}\n`],
  ])("%s: loads", (_what, matrix) => {
    expect(problemsOf(matrixJob(matrix))).toEqual([]);
  });

  it("an include that adds the 257th cell is refused", () => {
    // An include naming a value no cell has adds a cell (one with only new keys would extend every cell).
    const include = Array.from({ length: 2 }, (_, i) => `          - a: ${100 + i}\n`).join("");
    expect(problemsOf(matrixJob(`        a: ${list(16)}\n        b: ${list(16)}\n        include:\n${include}`))).toEqual([
      expect.stringContaining("w.yml:6:7: job 't': the matrix makes 258 jobs"),
    ]);
  });

  it("a product too large to build (10^10 combinations) is refused before it is built", () => {
    const vectors = "abcdefghij".split("").map((k) => `        ${k}: ${list(10)}\n`).join("");
    expect(problemsOf(matrixJob(vectors))).toEqual([expect.stringContaining("w.yml:6:7: job 't': the matrix has 10000000000 combinations of its vectors; replay expands at most 65536")]);
  });

  it("a matrix computed at run time is refused when it is expanded", () => {
    const e = refusal(() => expandMatrix({ a: Array.from({ length: 17 }, (_, i) => i), b: Array.from({ length: 17 }, (_, i) => i) }));
    expect(e.message).toBe("the matrix makes 289 jobs; GitHub runs at most 256 jobs of a matrix and refuses the workflow");
  });
});
