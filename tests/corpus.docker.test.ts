import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCaseImages, checkoutCase, compareReplay, corpusCases, runCli } from "./support/corpus.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";

// Every event a replay prints with --json and every event its record keeps is checked
// against the published contract, docs/events.schema.json, by a validator of its own.
const schema = JSON.parse(readFileSync(path.join(import.meta.dirname, "..", "docs", "events.schema.json"), "utf8")) as object;
const validateEvent = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

function offContract(events: unknown[], where: string): { where: string; event: unknown; errors: unknown }[] {
  return events.flatMap((event) => (validateEvent(event) ? [] : [{ where, event, errors: validateEvent.errors }]));
}

/** The events the run's record kept (a replay refused before its run started has none). */
function recordedEvents(repoDir: string, printed: Record<string, unknown>[]): unknown[] {
  const runId = printed.find((e) => e["type"] === "run.started")?.["runId"];
  const file = path.join(repoDir, ".replay", "runs", String(runId), "events.jsonl");
  if (runId === undefined || !existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
}

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
        const recorded = recordedEvents(repo.dir, run.events);
        if (run.events.some((e) => e["type"] === "run.started")) expect(recorded.length, "the run's record keeps its events").toBeGreaterThan(0);
        expect([...offContract(run.events, "--json"), ...offContract(recorded, "events.jsonl")]).toEqual([]);
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
