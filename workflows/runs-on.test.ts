import { describe, expect, it } from "vitest";
import { literalLabels } from "./runs-on.js";

describe("literalLabels", () => {
  it.each([
    ["none (ubuntu-latest)", undefined, ["ubuntu-latest"]],
    ["a label", "ubuntu-22.04", ["ubuntu-22.04"]],
    ["a list", ["self-hosted", "linux"], ["self-hosted", "linux"]],
    ["a group's labels", { group: "g", labels: ["x"] }, ["x"]],
    ["a group's one label", { group: "g", labels: "x" }, ["x"]],
    ["a group without labels", { group: "g" }, []],
    ["an expression", "${{ matrix.os }}", undefined],
    ["a list with an expression", ["linux", "${{ matrix.arch }}"], undefined],
  ] as const)("%s", (_name, runsOn, expected) => {
    expect(literalLabels(runsOn as never)).toEqual(expected);
  });
});
