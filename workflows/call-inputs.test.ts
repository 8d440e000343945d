import { describe, expect, it } from "vitest";
import { ReplayError } from "../common/index.js";
import { callInputProblems, resolveCallInputs } from "./call-inputs.js";
import type { Value, WorkflowInput } from "./model.js";

const FILE = ".github/workflows/called.yml";
const pos = { line: 5, col: 7 };
const input = (name: string, type: WorkflowInput["type"], extra: Partial<WorkflowInput> = {}): WorkflowInput => ({ name, type, required: false, pos, ...extra });

describe("resolveCallInputs: the inputs context of a called workflow", () => {
  it.each<{ label: string; declared: WorkflowInput; given: Value | undefined; expected: Value }>([
    { label: "a boolean given as a boolean", declared: input("v", "boolean"), given: true, expected: true },
    { label: "a number given as a number", declared: input("n", "number"), given: 2.5, expected: 2.5 },
    { label: "a string given as text", declared: input("s", "string"), given: "web", expected: "web" },
    { label: "a string given a boolean (GitHub casts it)", declared: input("s", "string"), given: false, expected: "false" },
    { label: "a string given a number", declared: input("s", "string"), given: 3, expected: "3" },
    { label: "a string given null", declared: input("s", "string"), given: null, expected: "" },
    { label: "a boolean's default", declared: input("v", "boolean", { default: true }), given: undefined, expected: true },
    { label: "a boolean's default written as text", declared: input("v", "boolean", { default: "true" }), given: undefined, expected: true },
    { label: "a number's default", declared: input("n", "number", { default: 3 }), given: undefined, expected: 3 },
    { label: "a string's default", declared: input("s", "string", { default: "x" }), given: undefined, expected: "x" },
    { label: "an unset boolean", declared: input("v", "boolean"), given: undefined, expected: false },
    { label: "an unset number", declared: input("n", "number"), given: undefined, expected: 0 },
    { label: "an unset string", declared: input("s", "string"), given: undefined, expected: "" },
  ])("$label", ({ declared, given, expected }) => {
    const inputs = resolveCallInputs([declared], given === undefined ? {} : { [declared.name]: given }, FILE);
    expect(inputs).toEqual({ [declared.name]: expected });
  });

  it.each<{ label: string; declared: WorkflowInput[]; given: Record<string, Value>; message: string }>([
    { label: "a boolean given text", declared: [input("v", "boolean")], given: { v: "true" }, message: "input 'v' is a boolean and cannot take a string ('true')" },
    { label: "a boolean given an empty value", declared: [input("v", "boolean")], given: { v: null }, message: "input 'v' is a boolean and cannot take null" },
    { label: "a number given text", declared: [input("n", "number")], given: { n: "3" }, message: "input 'n' is a number and cannot take a string ('3')" },
    { label: "a string given an object", declared: [input("s", "string")], given: { s: { a: 1 } }, message: "input 's' is a string and cannot take an object" },
    { label: "an input the workflow does not declare", declared: [input("target", "string")], given: { tagret: "x" }, message: `${FILE} declares no input 'tagret' (its inputs are: target)` },
    { label: "a required input not given", declared: [input("target", "string", { required: true })], given: {}, message: `input 'target' of ${FILE} is required, but not provided while calling` },
  ])("refuses $label", ({ declared, given, message }) => {
    let caught: unknown;
    try {
      resolveCallInputs(declared, given, FILE);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ReplayError);
    expect((caught as ReplayError).message).toContain(message);
  });

  it("lets a required input with a default go unset, as GitHub does", () => {
    expect(resolveCallInputs([input("t", "string", { required: true, default: "d" })], {}, FILE)).toEqual({ t: "d" });
  });
});

describe("callInputProblems with literals only (the plan-time check)", () => {
  it("type-checks literal values and leaves expressions for the run", () => {
    const declared = [input("a", "boolean"), input("b", "boolean")];
    const isLiteral = (v: Value): boolean => !(typeof v === "string" && v.includes("${{"));
    const problems = callInputProblems(declared, { a: "yes", b: "${{ matrix.flag }}" }, FILE, "literals", isLiteral);
    expect(problems).toEqual(["input 'a' is a boolean and cannot take a string ('yes')"]);
  });
});
