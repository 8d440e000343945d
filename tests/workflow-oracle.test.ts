import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow as parseWithGitHub } from "@actions/workflow-parser";
import { LineCounter, isScalar, parseDocument, visit } from "yaml";
import { describe, expect, it } from "vitest";
import { formatProblem } from "../common/index.js";
import type { Problem } from "../common/index.js";
import { parseWorkflow } from "../workflows/index.js";
import { mutations } from "./support/workflow-mutations.js";
import type { Mutation, MutationKind } from "./support/workflow-mutations.js";

// GitHub's own workflow parser (@actions/workflow-parser, the one behind the Actions
// editor support) as the oracle of `replay validate`: on valid workflows modelled on
// real projects' (tests/fixtures/workflows) and on every mutation of them the generator
// makes, replay rejects what the parser rejects, accepts what it accepts, and reports a
// problem on the line of each error the parser reports. Where they differ because replay
// is right about what GitHub does, the case is named below with the reason.

const FIXTURES = path.resolve(import.meta.dirname, "fixtures/workflows");
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".yml")).sort();

interface OracleError {
  message: string;
  line?: number;
  col?: number;
}

async function oracle(file: string, text: string): Promise<OracleError[]> {
  const parsed = parseWithGitHub({ name: file, content: text }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  // The conversion checks what the schema cannot (needs, ids); it runs on a file that parsed.
  if (errors.length === 0 && parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []).map((e) => e.Message));
  }
  return [...new Set(errors)].map((message) => {
    const at = /\(Line: (\d+), Col: (\d+)\)/.exec(message);
    return at ? { message, line: Number(at[1]), col: Number(at[2]) } : { message };
  });
}

/**
 * Replay is right, the parser is not (it checks syntax; GitHub checks more when a run
 * starts): the parser accepts, replay refuses, at the line of the change.
 */
const REPLAY_STRICTER: Partial<Record<MutationKind, string>> = {
  // GitHub fails such a run before any job: "the `uses' attribute must be a path, a
  // Docker image, or owner/repo@ref". The parser's schema takes any string.
  "uses-without-ref": "GitHub refuses `uses: owner/repo` without `@ref` when the run starts; the parser's schema takes any string",
};

/**
 * Errors of the parser that name a line where replay rightly reports nothing, or
 * another line of the same value: each with why it is not a miss.
 */
function excused(error: OracleError, text: string, problems: readonly Problem[]): string | undefined {
  // A job whose needs name a missing job makes the parser call every job downstream of
  // it part of a cycle; there is none, and replay reports the missing job (GitHub's
  // message on github.com is the missing job alone).
  if (/which creates a cycle in the dependency graph/.test(error.message) && problems.some((p) => /which is not a job in this workflow/.test(p.message))) {
    return "no cycle: a missing need";
  }
  // In a block scalar (`run: |`), the parser points at the `|`; replay at the expression
  // itself, on a line inside the block.
  const block = error.line === undefined ? undefined : blockScalarLines(text, error.line, error.col ?? 1);
  if (block && problems.some((p) => p.line > block.from && p.line <= block.to)) return "inside the block scalar";
  return undefined;
}

function blockScalarLines(text: string, line: number, col: number): { from: number; to: number } | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, version: "1.2" });
  let found: { from: number; to: number } | undefined;
  visit(doc, {
    Scalar: (_key, node) => {
      if (!isScalar(node) || !node.range || (node.type !== "BLOCK_LITERAL" && node.type !== "BLOCK_FOLDED")) return;
      const at = lines.linePos(node.range[0]);
      if (at.line === line && at.col === col) found = { from: line, to: lines.linePos(node.range[1]).line };
    },
  });
  return found;
}

/** What is wrong with replay's answer to one file, beside the oracle's; empty when they agree. */
async function disagreement(file: string, text: string, kind?: MutationKind): Promise<string[]> {
  const expected = await oracle(file, text);
  const problems = parseWorkflow(file, text).problems;
  const got = problems.map(formatProblem);
  const stricter = kind === undefined ? undefined : REPLAY_STRICTER[kind];
  if (stricter !== undefined && expected.length === 0) {
    return problems.length > 0 ? [] : [`replay accepts what GitHub refuses (${stricter})`];
  }
  if (expected.length === 0) return problems.length === 0 ? [] : [`the parser accepts; replay rejects: ${got.join(" | ")}`];
  if (problems.length === 0) return [`the parser rejects (${expected.map((e) => e.message).join(" | ")}); replay accepts`];
  return expected
    .filter((e) => e.line !== undefined && !problems.some((p) => p.line === e.line) && excused(e, text, problems) === undefined)
    .map((e) => `the parser reports line ${e.line} (${e.message}); replay does not: ${got.join(" | ")}`);
}

describe("replay validate beside GitHub's workflow parser", () => {
  it("has a dozen fixtures or more, modelled on real projects' workflows", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(12);
  });

  it.each(fixtures)("%s: both accept it", async (f) => {
    const text = readFileSync(path.join(FIXTURES, f), "utf8");
    expect(await oracle(f, text)).toEqual([]);
    expect(parseWorkflow(f, text).problems.map(formatProblem)).toEqual([]);
  });

  it.each(fixtures)("%s: every mutation is judged as the parser judges it, at its lines", async (f) => {
    const text = readFileSync(path.join(FIXTURES, f), "utf8");
    const all: Mutation[] = mutations(text);
    const kinds = new Set(all.map((m) => m.kind));
    // Every fixture gets at least the kinds it has material for (keys, needs, events).
    expect([...kinds]).toEqual(expect.arrayContaining(["misspelt-key", "missing-need", "unknown-event"]));
    const wrong: string[] = [];
    for (const m of all) {
      for (const d of await disagreement(f, m.text, m.kind)) wrong.push(`${m.kind} ${m.what}: ${d}`);
    }
    expect(wrong).toEqual([]);
  }, 180_000);

  it("makes hundreds of mutations of every kind over the fixtures", () => {
    const all = fixtures.flatMap((f) => mutations(readFileSync(path.join(FIXTURES, f), "utf8")));
    const count = (k: MutationKind): number => all.filter((m) => m.kind === k).length;
    expect(all.length).toBeGreaterThan(300);
    for (const k of ["misspelt-key", "open-expression", "missing-need", "unknown-event", "uses-without-ref"] as const) expect(count(k), k).toBeGreaterThan(10);
  });
});

// The differences named above, pinned: if the parser learns them, these fail and the
// exceptions can go.
describe("where replay is right and the parser is not", () => {
  it("`uses: actions/checkout` without a ref: the parser accepts it, GitHub's run and replay refuse it", async () => {
    const text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout\n";
    expect(await oracle("w.yml", text)).toEqual([]);
    expect(parseWorkflow("w.yml", text).problems.map(formatProblem)).toEqual([expect.stringMatching(/^w\.yml:6:15: 'actions\/checkout' is not a valid 'uses' reference/)]);
  });

  it("a need on a missing job: the parser adds a cycle downstream that does not exist", async () => {
    const text = "on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: x}]\n  b:\n    needs: [a, nope]\n    runs-on: x\n    steps: [{run: x}]\n  c:\n    needs: b\n    runs-on: x\n    steps: [{run: x}]\n";
    expect((await oracle("w.yml", text)).map((e) => e.message)).toEqual([
      expect.stringContaining("Job 'b' depends on unknown job 'nope'"),
      expect.stringContaining("Job 'c' depends on job 'b' which creates a cycle"),
    ]);
    expect(parseWorkflow("w.yml", text).problems.map(formatProblem)).toEqual([expect.stringMatching(/^w\.yml:7:16: job 'b' needs 'nope', which is not a job/)]);
  });
});
