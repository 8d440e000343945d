import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { gitRepo } from "./support/git-repo.js";

// Inputs that crashed replay (exit 70 and a stack trace) or ran away with its time and
// memory: through the built CLI, each is refused with exit 2 at its file:line:col, by
// `validate` and by `run` (nothing started; with --json, an `error` event).
const job = "    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";
const list = (n: number): string => `[${Array.from({ length: n }, (_, i) => i).join(", ")}]`;
const bomb = ["on: push", "bomb:", `  a: &a [${Array(9).fill('"lol"').join(", ")}]`, ..."bcdefghi".split("").map((n, i) => `  ${n}: &${n} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(", ")}]`)].join("\n");

const cases: { label: string; file: string | Buffer; at: string; message: string }[] = [
  { label: "an alias bomb", file: `${bomb}\njobs:\n  a:\n${job}`, at: "6:10", message: "too many aliases" },
  { label: "a matrix of 289 cells", file: `on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        a: ${list(17)}\n        b: ${list(17)}\n${job}`, at: "5:7", message: "the matrix makes 289 jobs; GitHub runs at most 256" },
  { label: "invalid UTF-8", file: Buffer.concat([Buffer.from("on: push\njobs:\n  a:\n    name: caf"), Buffer.from([0xe9]), Buffer.from(`\n${job}`)]), at: "4:14", message: "invalid UTF-8" },
  { label: "1,001 steps in a job", file: `on: push\njobs:\n  a:\n${job}${"      - run: echo\n".repeat(1000)}`, at: "1006:9", message: "job 'a' has 1001 steps; replay runs at most 1000" },
  { label: "1,001 jobs", file: `on: push\njobs:\n${Array.from({ length: 1001 }, (_, i) => `  j${i}:\n${job}`).join("")}`, at: "4003:3", message: "the workflow has 1001 jobs; replay reads at most 1000" },
  { label: "200,000 steps", file: `on: push\njobs:\n  a:\n${job}${"      - run: echo hello\n".repeat(200_000)}`, at: "", message: "replay reads workflow files of at most 1024 KiB" },
];

describe.each(cases)("$label", ({ file, at, message }) => {
  const repo = gitRepo("limits", { ".github/workflows/w.yml": file });
  afterAll(() => repo.dispose());
  const position = new RegExp(`^\\.github/workflows/w\\.yml:${at || "\\d+:\\d+"}: .*${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m");

  it("validate: exit 2, the problem at its file:line:col, no stack trace", async () => {
    const run = await runCli(["validate"], repo.dir);
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toMatch(position);
    expect(run.stderr).not.toMatch(/replay hit a bug|\n\s+at /);
  }, 60_000);

  it("run --json: exit 2, an `error` event naming it, nothing started", async () => {
    const run = await runCli(["run", "--json"], repo.dir);
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.events.map((e) => e["type"])).toEqual(["error"]);
    expect(String(run.events[0]?.["message"])).toMatch(new RegExp(position.source.replace("^", "  ")));
    expect(run.stderr).not.toMatch(/replay hit a bug|\n\s+at /);
  }, 60_000);
});
