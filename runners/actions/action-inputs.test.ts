import { describe, expect, it } from "vitest";
import { inputEnvName, mergeInputs } from "./action-inputs.js";
import type { ActionManifest } from "./action-manifest.js";

describe("inputEnvName: INPUT_<NAME> as the runner forms it", () => {
  it.each<[string, string]>([
    ["who", "INPUT_WHO"],
    ["node-version", "INPUT_NODE-VERSION"],
    ["fetch depth", "INPUT_FETCH_DEPTH"],
    ["a  b", "INPUT_A__B"],
    ["path.to", "INPUT_PATH.TO"],
    ["camelCase", "INPUT_CAMELCASE"],
    ["with_underscore", "INPUT_WITH_UNDERSCORE"],
    ["entryPoint", "INPUT_ENTRYPOINT"],
    ["größe", "INPUT_GRÖßE"],
    ["ǆ", "INPUT_Ǆ"],
    ["", "INPUT_"],
  ])("%j -> %s", (name, env) => {
    expect(inputEnvName(name)).toBe(env);
  });
});

const manifest = (inputs: ActionManifest["inputs"]): ActionManifest => ({ file: "a/action.yml", name: "a", inputs, outputs: [], runs: { using: "node20", main: "i.js" } });

describe("mergeInputs", () => {
  const evaluate = async (raw: string): Promise<string> => raw.replace("${{ github.token }}", "tok");

  it("takes `with:` as given, then each declared input's default, evaluated; an input without default is empty", async () => {
    const m = manifest([
      { name: "extension", required: false, default: ".md" },
      { name: "token", required: false, default: "${{ github.token }}" },
      { name: "plain", required: true },
    ]);
    const r = await mergeInputs(m, { Extension: ".txt" }, evaluate, { container: false, validate: true });
    expect(r.inputs).toEqual({ Extension: ".txt", token: "tok", plain: "" });
    expect(r.warnings).toEqual([]);
  });

  it("warns about inputs the action does not declare, and about deprecated ones", async () => {
    const m = manifest([{ name: "old", required: false, deprecationMessage: "use new" }, { name: "new", required: false }]);
    const r = await mergeInputs(m, { old: "1", typo: "2" }, evaluate, { container: false, validate: true });
    expect(r.warnings).toEqual(["Input 'old' has been deprecated with message: use new", "Unexpected input(s) 'typo', valid inputs are ['old', 'new']"]);
  });

  it("a container action always accepts entryPoint and args", async () => {
    const r = await mergeInputs(manifest([]), { entrypoint: "/x", args: "a b" }, evaluate, { container: true, validate: true });
    expect(r.warnings).toEqual([]);
  });
});
