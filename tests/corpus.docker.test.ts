import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCaseImages, checkoutCase, compareReplay, corpusCases, runCli } from "./support/corpus.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";

// Cases whose replays need a feature of a later issue wait for it; the rest must pass.
const WAITING_FOR: Record<string, string> = {
};

for (const c of corpusCases()) {
  describe(`corpus ${c.name}: ${c.description}`, () => {
    if (WAITING_FOR[c.name]) {
      it.todo(`waits for ${WAITING_FOR[c.name]}`);
      return;
    }
    const repo = checkoutCase(c);
    beforeAll(() => {
      buildCaseImages(c);
    });
    afterAll(() => repo.dispose());
    // The replays of a case run in order in the same copy, as on a user's machine, and
    // share one cache store (beside the copy, so that no case sees another's caches).
    const cacheDir = path.join(path.dirname(repo.dir), "replay-caches");
    for (const replay of c.replays) {
      it(`${replay.name}: replay ${replay.args.join(" ")}`, async () => {
        const args = replay.args.includes("--json") ? replay.args : [...replay.args, "--json"];
        const run = await runCli(args, repo.dir, { REPLAY_CACHE_DIR: cacheDir, ...(replay.env ?? {}) });
        const problems = compareReplay(replay, run);
        expect(problems, `stderr:\n${run.stderr.slice(-4000)}`).toEqual([]);
      });
    }
  });
}

describe("after the corpus", () => {
  it("leaves no container, network or volume labelled by replay", async () => {
    const [containers, networks, volumes] = await Promise.all((["containers", "networks", "volumes"] as const).map((kind) => leftAfterRemoval(["dev.replay.run"], kind)));
    expect({ containers, networks, volumes }).toEqual({ containers: "", networks: "", volumes: "" });
  });
});
