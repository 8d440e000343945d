import { describe, expect, it } from "vitest";
import type { NodeUsing } from "./action-manifest.js";
import { chooseNodeRuntime, runnerNodeMajor } from "./node-runtime.js";

const image = ["18.20.8", "20.20.2", "20.9.0"];

describe("runnerNodeMajor: the runner's mapping of runs.using", () => {
  it.each<[NodeUsing, Record<string, string>, number]>([
    ["node12", {}, 20],
    ["node16", {}, 20],
    ["node20", {}, 20],
    ["node24", {}, 24],
    ["node20", { FORCE_JAVASCRIPT_ACTIONS_TO_NODE24: "true" }, 24],
    ["node20", { FORCE_JAVASCRIPT_ACTIONS_TO_NODE24: "TRUE" }, 24],
    ["node16", { FORCE_JAVASCRIPT_ACTIONS_TO_NODE24: "true" }, 20],
    ["node20", { FORCE_JAVASCRIPT_ACTIONS_TO_NODE24: "true", ACTIONS_ALLOW_USE_UNSECURE_NODE_VERSION: "true" }, 20],
  ])("%s with %j runs on node%d", (using, env, major) => {
    expect(runnerNodeMajor(using, env).major).toBe(major);
  });
});

describe("chooseNodeRuntime: the installed Node an action runs on", () => {
  it.each<[NodeUsing, string[], string, number]>([
    ["node20", image, "20.20.2", 0],
    ["node16", image, "20.20.2", 1],
    ["node12", image, "20.20.2", 1],
    ["node24", image, "20.20.2", 1],
    ["node24", [...image, "24.1.0", "22.3.0"], "24.1.0", 0],
    ["node20", ["18.20.8", "22.3.0"], "22.3.0", 1],
    ["node20", ["18.20.8"], "18.20.8", 1],
    ["node20", ["README", "20.1.0"], "20.1.0", 0],
  ])("%s with %j: %s (%d warnings)", (using, installed, version, warnings) => {
    const c = chooseNodeRuntime(using, installed, {}, "o/r@v1");
    expect(c?.version).toBe(version);
    expect(c?.warnings).toHaveLength(warnings);
  });

  it("warns as the runner does about a node16 action", () => {
    expect(chooseNodeRuntime("node16", image, {}, "o/r@v1")?.warnings).toEqual([
      "Node.js 16 actions are deprecated. Please update the following actions to use Node.js 20: o/r@v1. For more information see: https://github.blog/changelog/2023-09-22-github-actions-transitioning-from-node-16-to-node-20/.",
    ]);
  });

  it("says which Node it falls back to when the image lacks node24", () => {
    expect(chooseNodeRuntime("node24", image, {}, "o/r@v1")?.warnings).toEqual([
      "o/r@v1 runs on node24 on GitHub, which is not in the job's image (it has Node 18, 20); replay runs it on Node 20.20.2, the closest one",
    ]);
  });

  it("answers nothing for an image without Node", () => {
    expect(chooseNodeRuntime("node20", [], {}, "o/r@v1")).toBeUndefined();
  });
});
