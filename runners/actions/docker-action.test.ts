import { describe, expect, it } from "vitest";
import { runnerPaths } from "../contexts.js";
import { splitArgs, translatePaths } from "./docker-action.js";
import { splitEnvNames } from "./node-action.js";
import { moveTop } from "./tar-tools.js";

describe("splitArgs: `with: args:` of a Docker action", () => {
  it.each<[string, string[]]>([
    ["", []],
    ["echo hi", ["echo", "hi"]],
    ["  a   b  ", ["a", "b"]],
    [`--msg "two words" 'single quoted'`, ["--msg", "two words", "single quoted"]],
    [`"" x`, ["", "x"]],
    [`a\\ b`, ["a b"]],
    [`"say \\"hi\\""`, ['say "hi"']],
  ])("%j -> %j", (line, args) => {
    expect(splitArgs(line)).toEqual(args);
  });
});

describe("translatePaths: the job's folders as a Docker action's container sees them", () => {
  const p = runnerPaths("demo");
  it("maps what GitHub mounts, and leaves the rest", () => {
    expect(
      translatePaths(
        {
          GITHUB_WORKSPACE: p.workspace,
          SUB: `${p.workspace}/src`,
          GITHUB_OUTPUT: `${p.fileCommands}/set_output_3`,
          GITHUB_EVENT_PATH: p.eventPath,
          RUNNER_TEMP: p.temp,
          HOME_DIR: `${p.temp}/_github_home`,
          RUNNER_WORKSPACE: "/home/runner/work/demo",
          OTHER: "/home/runner/work/demo/demo-not-it",
        },
        p,
      ),
    ).toEqual({
      GITHUB_WORKSPACE: "/github/workspace",
      SUB: "/github/workspace/src",
      GITHUB_OUTPUT: "/github/file_commands/set_output_3",
      GITHUB_EVENT_PATH: "/github/workflow/event.json",
      RUNNER_TEMP: "/github/runner_temp",
      HOME_DIR: "/github/home",
      RUNNER_WORKSPACE: "/home/runner/work/demo",
      OTHER: "/home/runner/work/demo/demo-not-it",
    });
  });
});

describe("splitEnvNames", () => {
  it("keeps what a shell passes on, and words for `env` for the rest (INPUT_FETCH-DEPTH)", () => {
    expect(splitEnvNames({ INPUT_WHO: "a", "INPUT_FETCH-DEPTH": "1", "INPUT_A.B": "x=y", _OK: "" })).toEqual({
      valid: { INPUT_WHO: "a", _OK: "" },
      others: ["INPUT_FETCH-DEPTH=1", "INPUT_A.B=x=y"],
    });
  });
});

describe("moveTop", () => {
  it("renames the top folder of a copied tree, dropping what it is told to", () => {
    const m = moveTop("github/runner_temp", (rest) => rest.startsWith("_runner_file_commands"));
    expect(["_temp/", "_temp/a.txt", "./_temp/d/", "_temp/_runner_file_commands/x"].map(m)).toEqual([
      "github/runner_temp/",
      "github/runner_temp/a.txt",
      "github/runner_temp/d/",
      undefined,
    ]);
    expect(["ctx/", "ctx/Dockerfile"].map(moveTop(""))).toEqual([undefined, "Dockerfile"]);
  });
});
