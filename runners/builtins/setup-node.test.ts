import { describe, expect, it } from "vitest";
import { pickNodeVersion } from "./setup-node.js";

// What an image's tool cache holds, in the order `ls` lists it (not sorted by version).
const installed = ["18.19.0", "18.20.4", "20.15.1", "20.9.0", "21.7.3", "22.4.0"];

describe("pickNodeVersion", () => {
  it.each<[string, string, string[], string | undefined]>([
    ["a major", "20", installed, "20.15.1"],
    ["a major.x", "18.x", installed, "18.20.4"],
    ["a major.minor", "20.9", installed, "20.9.0"],
    ["an exact version", "20.9.0", installed, "20.9.0"],
    ["a v prefix", "v18.19.0", installed, "18.19.0"],
    ["a range", ">=18 <20", installed, "18.20.4"],
    ["a caret range", "^20.10", installed, "20.15.1"],
    ["an odd major", "21", installed, "21.7.3"],
    ["lts/*: the newest even major", "lts/*", installed, "22.4.0"],
    ["lts/* skips a newer odd major", "lts/*", ["20.15.1", "21.7.3"], "20.15.1"],
    ["lts/iron is 20", "lts/iron", installed, "20.15.1"],
    ["lts/hydrogen is 18", "lts/hydrogen", installed, "18.20.4"],
    ["lts/jod is 22", "lts/jod", installed, "22.4.0"],
    ["codenames in any case", "LTS/Iron", installed, "20.15.1"],
    ["node: the newest", "node", installed, "22.4.0"],
    ["latest: the newest", "latest", installed, "22.4.0"],
    ["surrounding spaces", " 20 ", installed, "20.15.1"],
    ["a folder that is not a version is ignored", "node", ["README", "20.15.1"], "20.15.1"],
    ["a major that is not installed", "16", installed, undefined],
    ["an LTS line that is not installed", "lts/krypton", installed, undefined],
    ["an unknown codename", "lts/nosuchname", installed, undefined],
    ["lts/* with no even major installed", "lts/*", ["21.7.3"], undefined],
    ["not a version", "banana", installed, undefined],
    ["nothing installed", "20", [], undefined],
    ["node with nothing installed", "node", [], undefined],
  ])("%s", (_name, spec, versions, picked) => {
    expect(pickNodeVersion(spec, versions)).toBe(picked);
  });
});
