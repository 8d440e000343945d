// The `inputs` context of a called workflow, from its caller's `with:` values, typed as
// GitHub types them: `with:` keeps YAML's and expressions' types, a string input takes
// any scalar as text, but a boolean or number input takes only a boolean or a number
// ("Unexpected type of value 'true', expected type: Boolean").

import { WorkflowInvalidError } from "../common/errors.js";
import { coerceToString, findExpressions } from "./expressions/index.js";
import type { Value, WorkflowInput } from "./model.js";

function typeName(v: Value): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return `a ${typeof v}`;
}

function shown(v: Value): string {
  return typeof v === "object" && v !== null ? JSON.stringify(v) : coerceToString(v);
}

/** The value the input gets, or why it cannot take it. */
export function convertCallInput(input: WorkflowInput, v: Value): { value: Value } | { problem: string } {
  switch (input.type) {
    case "boolean":
      if (typeof v === "boolean") return { value: v };
      break;
    case "number":
      if (typeof v === "number") return { value: v };
      break;
    case "string":
    case "choice":
    case "environment":
      if (v === null || typeof v !== "object") return { value: coerceToString(v) };
      break;
  }
  const hint = input.type === "boolean" && (v === "true" || v === "false") ? ` (write ${v} without quotes, or \`\${{ … == 'true' }}\` for text)` : "";
  return { problem: `input '${input.name}' is a ${input.type} and cannot take ${typeName(v)} ('${shown(v)}')${hint}` };
}

/** A default written in the called workflow, converted as GitHub reads the file. */
function fromDefault(input: WorkflowInput, d: Value): Value | undefined {
  const direct = convertCallInput(input, d);
  if ("value" in direct) return direct.value;
  if (typeof d === "string") {
    if (input.type === "boolean" && (d === "true" || d === "false")) return d === "true";
    if (input.type === "number" && d.trim() !== "" && Number.isFinite(Number(d))) return Number(d);
  }
  return undefined;
}

/** What an input holds when neither given nor defaulted (GitHub documents false, 0 and ""). */
function unset(input: WorkflowInput): Value {
  return input.type === "boolean" ? false : input.type === "number" ? 0 : "";
}

/**
 * The `inputs` context of a called workflow. `given` holds the caller's `with:` values,
 * already evaluated. `file` names the called workflow in messages. An undeclared input,
 * a missing required one or a value of the wrong type is a WorkflowInvalidError.
 */
export function resolveCallInputs(declared: readonly WorkflowInput[], given: Record<string, Value>, file: string): Record<string, Value> {
  const problems = callInputProblems(declared, given, file, "values");
  if (problems.length) {
    throw new WorkflowInvalidError(problems.join("; "), {
      hint: `fix \`with:\` of the calling job to match the inputs ${file} declares under on.workflow_call.inputs`,
      exitCode: 1,
    });
  }
  const out: Record<string, Value> = {};
  for (const input of declared) {
    const v = Object.hasOwn(given, input.name) ? given[input.name] : undefined;
    if (v !== undefined) {
      const c = convertCallInput(input, v);
      out[input.name] = "value" in c ? c.value : unset(input);
    } else if (input.default !== undefined && input.default !== null) {
      out[input.name] = fromDefault(input, input.default) ?? unset(input);
    } else {
      out[input.name] = unset(input);
    }
  }
  return out;
}

/**
 * What GitHub refuses before a called workflow starts: an input it does not declare, a
 * required input neither given nor defaulted, and a value of the wrong type. With
 * `check: "literals"` only values without expressions are type-checked (a plan-time
 * check, before expressions can be evaluated).
 */
export function callInputProblems(
  declared: readonly WorkflowInput[],
  given: Record<string, Value>,
  file: string,
  check: "values" | "literals",
  isLiteral: (v: Value) => boolean = () => true,
): string[] {
  const problems: string[] = [];
  const byName = new Map(declared.map((d) => [d.name, d]));
  const names = declared.map((d) => d.name);
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) {
      problems.push(`${file} declares no input '${name}' (${names.length ? `its inputs are: ${names.join(", ")}` : "it declares no inputs"})`);
    }
  }
  for (const input of declared) {
    const v = Object.hasOwn(given, input.name) ? given[input.name] : undefined;
    if (v === undefined) {
      const defaulted = input.default !== undefined && input.default !== null;
      if (input.required && !defaulted) problems.push(`input '${input.name}' of ${file} is required, but not provided while calling`);
      // A default that is an expression is typed once the run evaluates it.
      else if (defaulted && !(typeof input.default === "string" && findExpressions(input.default).length) && fromDefault(input, input.default as Value) === undefined) {
        problems.push(`the default of input '${input.name}' of ${file} (line ${input.pos.line}) is not a ${input.type}`);
      }
      continue;
    }
    if (check === "literals" && !isLiteral(v)) continue;
    const c = convertCallInput(input, v);
    if ("problem" in c) problems.push(c.problem);
  }
  return problems;
}
