import { describe, expect, it } from "vitest";
import { refusal } from "../tests/support/refusal.js";
import { parseKeyValues, resolveInputs } from "./inputs.js";
import type { InputEvent } from "./inputs.js";
import type { InputType, Value, WorkflowInput } from "./model.js";

function input(name: string, type: InputType, more: Partial<WorkflowInput> = {}): WorkflowInput {
  return { name, type, required: false, pos: { line: 7, col: 7 }, ...more };
}


describe("parseKeyValues", () => {
  it.each<[string[], Record<string, string>]>([
    [[], {}],
    [["a=b"], { a: "b" }],
    [["url=https://x?a=1&b=2", "empty="], { url: "https://x?a=1&b=2", empty: "" }],
    [["multi=line one\nline two"], { multi: "line one\nline two" }],
  ])("%j", (args, values) => {
    expect({ ...parseKeyValues(args, "--input") }).toEqual(values);
  });

  it.each([["novalue"], ["=x"], ["  =x"]])("refuses %j, naming the flag", (arg) => {
    const e = refusal(() => parseKeyValues([arg], "--secret"));
    expect(e.message).toContain("--secret");
    expect(e.exitCode).toBe(2);
    expect(e.hint).toContain("--secret name=value");
  });

  it("refuses a key given twice", () => {
    expect(refusal(() => parseKeyValues(["a=1", "a=2"], "--input")).message).toContain("--input a is given twice");
  });

  it("keeps a key such as __proto__ as a plain key", () => {
    const values = parseKeyValues(["__proto__=x", "constructor=y"], "--input");
    expect(Object.entries(values)).toEqual([
      ["__proto__", "x"],
      ["constructor", "y"],
    ]);
  });
});

describe("resolveInputs", () => {
  // The corpus cases: progressive's dispatch choice, actions' reusable workflow inputs.
  const environment = input("environment", "choice", { required: true, default: "staging", options: ["staging", "production"] });
  const target = input("target", "string", { required: true });
  const verbose = input("verbose", "boolean", { default: false });

  it.each<[string, WorkflowInput[], Record<string, string>, InputEvent, Record<string, Value>]>([
    ["corpus progressive: a choice given", [environment], { environment: "production" }, "workflow_dispatch", { environment: "production" }],
    ["corpus progressive: a choice defaulted", [environment], {}, "workflow_dispatch", { environment: "staging" }],
    ["corpus actions: string given, boolean defaulted", [target, verbose], { target: "web" }, "workflow_call", { target: "web", verbose: false }],
    ["booleans are booleans for dispatch", [verbose], { verbose: "true" }, "workflow_dispatch", { verbose: true }],
    ["booleans are booleans for call", [verbose], { verbose: "false" }, "workflow_call", { verbose: false }],
    ["a string default 'true' of a boolean is a boolean", [input("b", "boolean", { default: "true" })], {}, "workflow_call", { b: true }],
    ["numbers are numbers for workflow_call", [input("n", "number")], { n: "2.5" }, "workflow_call", { n: 2.5 }],
    ["numbers stay text for workflow_dispatch", [input("n", "number")], { n: "007" }, "workflow_dispatch", { n: "007" }],
    ["a number default for workflow_call", [input("n", "number", { default: 3 })], {}, "workflow_call", { n: 3 }],
    ["a string default given as a number is text", [input("s", "string", { default: 5 })], {}, "workflow_call", { s: "5" }],
    ["strings are kept as given", [input("s", "string")], { s: " spaced = value " }, "workflow_dispatch", { s: " spaced = value " }],
    ["environment is a string", [input("env", "environment")], { env: "prod" }, "workflow_dispatch", { env: "prod" }],
    [
      "unset workflow_call inputs are false, 0 and ''",
      [input("b", "boolean"), input("n", "number"), input("s", "string")],
      {},
      "workflow_call",
      { b: false, n: 0, s: "" },
    ],
    [
      "unset workflow_dispatch inputs are false and ''",
      [input("b", "boolean"), input("n", "number"), input("s", "string"), input("c", "choice", { options: ["x"] })],
      {},
      "workflow_dispatch",
      { b: false, n: "", s: "", c: "" },
    ],
    ["a required input with a default takes it", [input("r", "string", { required: true, default: "d" })], {}, "workflow_dispatch", { r: "d" }],
  ])("%s", (_name, declared, given, how, inputs) => {
    expect(resolveInputs(declared, given, how)).toEqual(inputs);
  });

  it.each<[string, WorkflowInput[], Record<string, string>, InputEvent, string, string[], string]>([
    ["a required input missing", [target], {}, "workflow_dispatch", "missing-input", ["'target' is required"], "--input target=value"],
    ["a required call input missing", [target], {}, "workflow_call", "missing-input", ["'target'"], "`with:`"],
    ["an unknown input", [target, verbose], { target: "web", tagret: "x" }, "workflow_call", "usage", ["no workflow_call input 'tagret'"], "target, verbose"],
    ["an input when none are declared", [], { x: "1" }, "workflow_dispatch", "usage", ["'x'"], "declares no workflow_dispatch inputs"],
    ["a boolean that is not true or false", [verbose], { verbose: "yes" }, "workflow_dispatch", "usage", ["'verbose'", "'yes'"], "true or false"],
    ["a boolean written in capitals", [verbose], { verbose: "True" }, "workflow_call", "usage", ["'True'"], "true or false"],
    ["a number that is not one", [input("n", "number")], { n: "ten" }, "workflow_call", "usage", ["'n' is a number", "'ten'"], "a number"],
    ["an empty number", [input("n", "number")], { n: "" }, "workflow_call", "usage", ["'n'"], "a number"],
    ["an infinite number", [input("n", "number")], { n: "Infinity" }, "workflow_call", "usage", ["'Infinity'"], "a number"],
    ["a choice not offered", [environment], { environment: "prod" }, "workflow_dispatch", "usage", ["'prod'"], "one of: staging, production"],
    ["a default that is not of its type", [input("b", "boolean", { default: "maybe" })], {}, "workflow_call", "workflow-invalid", ["default of input 'b'"], "line 7"],
  ])("refuses %s", (_name, declared, given, how, code, inMessage, inHint) => {
    const e = refusal(() => resolveInputs(declared, given, how));
    expect(e.code).toBe(code);
    expect(e.exitCode).toBe(2);
    for (const s of inMessage) expect(e.message).toContain(s);
    expect(e.hint).toContain(inHint);
  });

  it("does not take an inherited property for a given value", () => {
    expect(resolveInputs([input("constructor", "string")], {}, "workflow_dispatch")).toEqual({ constructor: "" });
  });
});
