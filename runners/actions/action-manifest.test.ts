import { describe, expect, it } from "vitest";
import { formatProblem } from "../../common/index.js";
import { parseActionManifest } from "./action-manifest.js";

const FILE = ".github/actions/x/action.yml";
const problemsOf = (text: string): string[] => parseActionManifest(FILE, text).problems.map(formatProblem);

describe("parseActionManifest: valid metadata", () => {
  it("reads a composite action: inputs with defaults, outputs, steps with their keys", () => {
    const { manifest, problems } = parseActionManifest(
      FILE,
      `name: Greet
author: someone
branding: {icon: check, color: green}
inputs:
  who:
    description: Who
    required: true
  punctuation:
    default: "!"
  count:
    default: 3
outputs:
  message:
    description: The greeting
    value: \${{ steps.say.outputs.message }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: echo hi
      env: {A: 1}
    - uses: ./other
      with: {x: y}
      if: always()
      continue-on-error: true
`,
    );
    expect(problems).toEqual([]);
    expect(manifest?.name).toBe("Greet");
    expect(manifest?.inputs).toEqual([
      { name: "who", required: true },
      { name: "punctuation", required: false, default: "!" },
      { name: "count", required: false, default: "3" },
    ]);
    expect(manifest?.outputs).toEqual([{ name: "message", value: "${{ steps.say.outputs.message }}" }]);
    const runs = manifest?.runs;
    expect(runs?.using).toBe("composite");
    if (runs?.using !== "composite") return;
    expect(runs.steps.map((s) => [s.id, s.run, s.shell, s.uses, s.env, s.with, s.if, s.continueOnError])).toEqual([
      ["say", "echo hi", "bash", undefined, { A: "1" }, {}, undefined, undefined],
      [undefined, undefined, undefined, "./other", {}, { x: "y" }, "always()", true],
    ]);
    expect(runs.steps[1]?.pos).toEqual({ line: 23, col: 7 });
  });

  it.each([
    ["node12", "node12"],
    ["node16", "node16"],
    ["Node20", "node20"],
    ["node24", "node24"],
  ])("reads `using: %s` with pre, main, post and their conditions", (using, expected) => {
    const { manifest } = parseActionManifest(FILE, `runs:\n  using: ${using}\n  main: dist/index.js\n  pre: pre.js\n  pre-if: runner.os == 'Linux'\n  post: post.js\n  post-if: success()\n`);
    expect(manifest?.runs).toEqual({ using: expected, main: "dist/index.js", pre: "pre.js", preIf: "runner.os == 'Linux'", post: "post.js", postIf: "success()" });
  });

  it("reads a Docker action with args, env and the pre/post entrypoints", () => {
    const { manifest } = parseActionManifest(
      FILE,
      `runs:\n  using: docker\n  image: Dockerfile\n  entrypoint: /main.sh\n  args: ["\${{ inputs.who }}", 3]\n  env:\n    MODE: fast\n  pre-entrypoint: /pre.sh\n  post-entrypoint: /post.sh\n  post-if: always()\n`,
    );
    expect(manifest?.runs).toEqual({
      using: "docker",
      image: "Dockerfile",
      entrypoint: "/main.sh",
      args: ["${{ inputs.who }}", "3"],
      env: { MODE: "fast" },
      preEntrypoint: "/pre.sh",
      postEntrypoint: "/post.sh",
      postIf: "always()",
    });
  });

  it("takes a file without a name, and inputs with no settings at all", () => {
    const { manifest, problems } = parseActionManifest(FILE, "inputs:\n  bare:\nruns:\n  using: node20\n  main: i.js\n");
    expect(problems).toEqual([]);
    expect(manifest?.name).toBe(FILE);
    expect(manifest?.inputs).toEqual([{ name: "bare", required: false }]);
  });
});

describe("parseActionManifest: problems with file:line:col", () => {
  it.each<[string, string, string[]]>([
    ["invalid YAML", "runs: [\n", [`${FILE}:2:1: invalid YAML`]],
    ["no runs", "name: x\n", [`${FILE}:1:1: 'runs' is required in the action`]],
    [
      "an unknown using",
      "name: x\nruns:\n  using: node99\n  main: a.js\n",
      [`${FILE}:3:3: 'using: node99' is not supported, use 'docker', 'node12', 'node16', 'node20', 'node24' or 'composite' instead.`],
    ],
    ["a node action without main", "name: x\nruns:\n  using: node20\n", [`${FILE}:2:1: Entry javascript file is not provided: 'main' is required in \`runs\` of a node20 action`]],
    ["a Docker action without image", "runs:\n  using: docker\n", [`${FILE}:1:1: You are using a Container Action but an image is not provided in ${FILE}.`]],
    ["a composite action without steps", "runs:\n  using: composite\n", [`${FILE}:1:1: You are using a composite action but there are no steps provided in ${FILE}.`]],
    ["a key of another kind of action", "runs:\n  using: node20\n  main: a.js\n  image: Dockerfile\n", [`${FILE}:4:3: unknown key 'image' in \`runs\` of a node20 action (it takes using, main, pre, pre-if, post, post-if)`]],
    ["an unknown key in runs", "runs:\n  using: node20\n  mian: a.js\n", [`${FILE}:3:3: unknown key 'mian' in \`runs\``]],
    [
      "a composite run step without shell",
      "runs:\n  using: composite\n  steps:\n    - run: echo hi\n",
      [`${FILE}:4:7: 'shell' is required in step 1 of the composite action: a composite action's run steps must name their shell`],
    ],
    [
      "a composite step with both run and uses",
      "runs:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n      uses: ./x\n",
      [`${FILE}:4:7: step 1 of the composite action has both 'uses' and 'run'; a step is one or the other`],
    ],
    ["an unknown key in a composite step", "runs:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n      timeout-minutes: 3\n", [`${FILE}:6:7: unknown key 'timeout-minutes' in step 1 of the composite action`]],
    ["a bad uses in a composite step", "runs:\n  using: composite\n  steps:\n    - uses: nope\n", [`${FILE}:4:7: 'nope' is not a valid 'uses' reference; expected \`./path\`, \`docker://image\` or \`owner/repo[/path]@ref\``]],
    ["a step id used twice", "runs:\n  using: composite\n  steps:\n    - {id: a, run: x, shell: sh}\n    - {id: a, run: y, shell: sh}\n", [`${FILE}:5:8: step id 'a' is used twice in the composite action`]],
    ["a broken expression in a run step", "runs:\n  using: composite\n  steps:\n    - run: echo ${{ inputs.x ==  }}\n      shell: bash\n", [`${FILE}:4:7: unexpected end of expression`]],
    ["a broken pre-if", "runs:\n  using: node20\n  main: a.js\n  pre-if: success( &&\n", [`${FILE}:4:3: unexpected symbol '&&'`]],
    ["inputs that are not a mapping", "inputs: [a, b]\nruns:\n  using: node20\n  main: a.js\n", [`${FILE}:1:1: 'inputs' in the action must be a mapping of input names`]],
    ["an output with an unknown key", "outputs:\n  o:\n    valeu: x\nruns:\n  using: node20\n  main: a.js\n", [`${FILE}:3:5: unknown key 'valeu' in output 'o'`]],
  ])("%s", (_name, text, expected) => {
    const got = problemsOf(text);
    if (expected[0]?.endsWith("invalid YAML")) expect(got[0]?.startsWith(expected[0])).toBe(true);
    else expect(got).toEqual(expected);
  });
});
