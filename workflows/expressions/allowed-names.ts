import type { FunctionInfo } from "@actions/expressions/funcs/info";

export type ContextName =
  | "github"
  | "env"
  | "vars"
  | "secrets"
  | "inputs"
  | "matrix"
  | "strategy"
  | "needs"
  | "steps"
  | "job"
  | "jobs"
  | "runner";

export const ALL_CONTEXTS: readonly ContextName[] = [
  "github",
  "env",
  "vars",
  "secrets",
  "inputs",
  "matrix",
  "strategy",
  "needs",
  "steps",
  "job",
  "jobs",
  "runner",
];

export type StatusFunctionName = "success" | "failure" | "cancelled" | "always";
export const STATUS_FUNCTIONS: readonly StatusFunctionName[] = ["success", "failure", "cancelled", "always"];

/** The functions GitHub adds to the built-in ones, with the argument counts the runner registers. */
export const EXTENSION_FUNCTIONS: readonly FunctionInfo[] = [
  ...STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 })),
  { name: "hashFiles", minArgs: 1, maxArgs: 255 },
];

/** Which contexts and extension functions a place in the workflow allows (built-in functions always are). */
export interface AllowedNames {
  contexts?: readonly string[];
  functions?: readonly string[];
}

export function isStatusFunction(name: string): name is StatusFunctionName {
  return (STATUS_FUNCTIONS as readonly string[]).includes(name.toLowerCase());
}
