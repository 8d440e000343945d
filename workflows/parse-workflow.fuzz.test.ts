import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { parseWorkflow } from "./parse-workflow.js";

// The loader must turn any input into problems or a workflow: never a crash.
const parseNeverThrows = (text: string): void => {
  const r = parseWorkflow("f.yml", text);
  expect(Array.isArray(r.problems)).toBe(true);
  if (!r.workflow) expect(r.problems.length).toBeGreaterThan(0);
  for (const p of r.problems) {
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.col).toBeGreaterThanOrEqual(1);
  }
};

const keys = fc.constantFrom("on", "jobs", "name", "env", "steps", "runs-on", "needs", "run", "uses", "if", "with", "strategy", "matrix", "include", "exclude", "x", "${{ a }}");
const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom("${{ github.sha }}", "${{ ", "push", "ubuntu-latest", "a/b@v1", "./x"));
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(keys, tie("node"), { maxKeys: 5 })),
})).node;

describe("parseWorkflow under fuzzing", () => {
  it("never throws on arbitrary text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), parseNeverThrows), { numRuns: 500 });
  });

  it("never throws on arbitrary YAML structures shaped like workflows", () => {
    fc.assert(
      fc.property(tree, fc.dictionary(keys, tree, { maxKeys: 4 }), (jobs, rest) => {
        parseNeverThrows(stringify({ on: "push", ...rest, jobs }));
      }),
      { numRuns: 500 },
    );
  });
});
