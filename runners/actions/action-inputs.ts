import type { ActionManifest } from "./action-manifest.js";

/**
 * `INPUT_<NAME>` as the runner's Handler.AddInputsToEnvironment forms it: spaces become
 * `_`, then the name is upper-cased with .NET's ToUpperInvariant (one character for one,
 * so `ß` stays); every other character (`-`, `.`) is kept as it is.
 */
export function inputEnvName(name: string): string {
  let upper = "";
  for (const c of name.replaceAll(" ", "_")) {
    const u = c.toUpperCase();
    upper += [...u].length === 1 ? u : c;
  }
  return `INPUT_${upper}`;
}

export interface MergedInputs {
  /** The step's `with:` (its own spelling of the names), then the manifest's defaults for the rest. */
  inputs: Record<string, string>;
  /** What the runner warns about: deprecated inputs, inputs the action does not declare. */
  warnings: string[];
}

/**
 * The inputs an action sees, as ActionRunner merges them: what `with:` gives (names
 * compared case-insensitively), then each declared input's default, evaluated.
 * `required: true` is not enforced, as on GitHub (the action's toolkit does that).
 */
export async function mergeInputs(
  manifest: ActionManifest,
  given: Record<string, string>,
  evaluateDefault: (raw: string) => Promise<string>,
  o: { container: boolean; validate: boolean },
): Promise<MergedInputs> {
  const inputs: Record<string, string> = { ...given };
  const warnings: string[] = [];
  const givenLower = new Set(Object.keys(given).map((k) => k.toLowerCase()));
  for (const name of Object.keys(given)) {
    const declared = manifest.inputs.find((i) => i.name.toLowerCase() === name.toLowerCase());
    if (declared?.deprecationMessage !== undefined) warnings.push(`Input '${name}' has been deprecated with message: ${declared.deprecationMessage}`);
  }
  // A container action always accepts `entryPoint` and `args` (they predate action.yml).
  const valid = [...(o.container ? ["entryPoint", "args"] : []), ...manifest.inputs.map((i) => i.name)];
  for (const input of manifest.inputs) {
    if (givenLower.has(input.name.toLowerCase())) continue;
    inputs[input.name] = input.default === undefined ? "" : await evaluateDefault(input.default);
  }
  if (o.validate) {
    const validLower = new Set(valid.map((v) => v.toLowerCase()));
    const unexpected = Object.keys(given).filter((k) => !validLower.has(k.toLowerCase()));
    if (unexpected.length) warnings.push(`Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${valid.join("', '")}']`);
  }
  return { inputs, warnings };
}

/** The environment variables for an action's inputs (node and container actions only). */
export function inputsEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [inputEnvName(k), v]));
}
