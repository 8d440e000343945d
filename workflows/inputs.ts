// The `inputs` context of a workflow_dispatch or workflow_call run, from `--input k=v`
// strings and the inputs the workflow declares, typed as GitHub types them.

import { MissingInputError, UsageError, WorkflowInvalidError } from "../common/errors.js";
import type { InputType, Value, WorkflowInput } from "./model.js";
import { evaluateTemplateAsync, findExpressions } from "./expressions/index.js";
import type { EvalOptions } from "./expressions/index.js";

export type InputEvent = "workflow_dispatch" | "workflow_call";

/**
 * Parses repeated `--flag key=value` values (the value may itself hold `=`). A value
 * without `=`, an empty key or a key given twice is refused, naming the flag.
 */
export function parseKeyValues(args: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const arg of args) {
    const eq = arg.indexOf("=");
    const key = eq < 0 ? "" : arg.slice(0, eq).trim();
    if (key === "") throw new UsageError(`${flag} expects key=value, got '${arg}'`, `write it as ${flag} name=value`);
    if (key in out) throw new UsageError(`${flag} ${key} is given twice`, `give ${flag} ${key}=… once`);
    out[key] = arg.slice(eq + 1);
  }
  return out;
}

function howToPass(input: string, how: InputEvent): string {
  const flag = `--input ${input}=value`;
  return how === "workflow_call" ? `pass ${flag}, or set '${input}' under \`with:\` of the job that calls the workflow` : `pass ${flag}`;
}

/** The text of a value as given on the command line or written in YAML. */
function text(v: Value): string {
  return typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
}

/** Converts one value to the input's type, or undefined when it is not of that type. */
function convert(input: WorkflowInput, raw: string, how: InputEvent): Value | undefined {
  switch (input.type) {
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : undefined;
    case "number": {
      const n = raw.trim() === "" ? NaN : Number(raw);
      if (!Number.isFinite(n)) return undefined;
      // workflow_dispatch gives only booleans typed; its numbers stay text as submitted.
      return how === "workflow_call" ? n : raw;
    }
    case "choice":
      return input.options === undefined || input.options.includes(raw) ? raw : undefined;
    case "string":
    case "environment":
      return raw;
  }
}

function expected(input: WorkflowInput): string {
  switch (input.type) {
    case "boolean":
      return "true or false";
    case "number":
      return "a number";
    case "choice":
      return `one of: ${(input.options ?? []).join(", ")}`;
    case "string":
    case "environment":
      return "text";
  }
}

function example(input: WorkflowInput): string {
  switch (input.type) {
    case "boolean":
      return "true";
    case "number":
      return "1";
    case "choice":
      return input.options?.[0] ?? "value";
    case "string":
    case "environment":
      return "value";
  }
}

/** What an input holds when it is neither given nor defaulted. */
function unset(type: InputType, how: InputEvent): Value {
  switch (type) {
    case "boolean":
      return false;
    case "number":
      // GitHub documents 0 for workflow_call; a dispatch form submits an empty field.
      return how === "workflow_call" ? 0 : "";
    case "choice":
    case "string":
    case "environment":
      return "";
  }
}

/**
 * The `inputs` context: every declared input, from what was given, else its default,
 * else empty (false, 0 or ""). Booleans are booleans; numbers are numbers for
 * workflow_call and text for workflow_dispatch, as GitHub gives them.
 */
export function resolveInputs(declared: WorkflowInput[], given: Record<string, string>, how: InputEvent): Record<string, Value> {
  const byName = new Map(declared.map((d) => [d.name, d]));
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) {
      const names = declared.map((d) => d.name);
      throw new UsageError(`the workflow has no ${how} input '${name}'`, {
        hint: names.length === 0 ? `it declares no ${how} inputs; drop --input ${name}` : `its inputs are: ${names.join(", ")}`,
      });
    }
  }

  const out: Record<string, Value> = {};
  for (const input of declared) {
    const raw = Object.hasOwn(given, input.name) ? given[input.name] : undefined;
    if (raw !== undefined) {
      const value = convert(input, raw, how);
      if (value === undefined) {
        throw new UsageError(`input '${input.name}' is a ${input.type} and cannot be '${raw}'`, {
          hint: `give ${expected(input)}, e.g. --input ${input.name}=${example(input)}`,
        });
      }
      out[input.name] = value;
    } else if (input.default !== undefined && input.default !== null) {
      const value = convert(input, text(input.default), how);
      if (value === undefined) {
        throw new WorkflowInvalidError(`the default of input '${input.name}' (${text(input.default)}) is not ${expected(input)}`, {
          hint: `fix the default at line ${input.pos.line}, or ${howToPass(input.name, how)}`,
        });
      }
      out[input.name] = value;
    } else if (input.required) {
      throw new MissingInputError(`the ${how} input '${input.name}' is required and has no default`, {
        hint: howToPass(input.name, how),
      });
    } else {
      out[input.name] = unset(input.type, how);
    }
  }
  return out;
}

/**
 * The declared inputs with each default that is an expression (`default: ${{ 1 }}`,
 * `${{ github.ref_name }}`) evaluated in `ctx` (GitHub allows `github`, `inputs` and
 * `vars` there), so that it is typed and checked like a written default.
 */
export async function withEvaluatedDefaults(declared: readonly WorkflowInput[], ctx: EvalOptions): Promise<WorkflowInput[]> {
  return Promise.all(
    declared.map(async (i) => (typeof i.default === "string" && findExpressions(i.default).length ? { ...i, default: await evaluateTemplateAsync(i.default, ctx) } : i)),
  );
}
