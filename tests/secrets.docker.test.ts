import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliRun } from "./support/corpus.js";
import { workflowRepo } from "./support/git-repo.js";

// Secrets through the built CLI on the real engine: a job output that holds one is dropped
// (the runner's warning; the job that needs it sees ''), annotation properties, encoded
// forms and expression errors are masked in every channel (--json, the plain output,
// events.jsonl, state.json, the step logs).
const TOKEN = "Tok3n/with+chars=and\"quote";
const B64 = Buffer.from(TOKEN).toString("base64");
const DYN = "dyn-mask-value-77";

const workflow = `on: push
jobs:
  produce:
    runs-on: ubuntu-latest
    outputs:
      leaked: \${{ steps.s.outputs.token }}
      masked: \${{ steps.s.outputs.dyn }}
      fine: \${{ steps.s.outputs.fine }}
    steps:
      - id: s
        env:
          TOKEN: \${{ secrets.TOKEN }}
        run: |
          echo "token=prefix-$TOKEN" >> "$GITHUB_OUTPUT"
          echo "::add-mask::${DYN}"
          echo "dyn=${DYN}" >> "$GITHUB_OUTPUT"
          echo "fine=plain" >> "$GITHUB_OUTPUT"
          echo "::error title=Title $TOKEN,file=src/$TOKEN.ts,line=3::message $TOKEN"
          printf 'b64: %s\\n' "$(printf '%s' "$TOKEN" | base64 -w0)"
          printf 'json: {"t":"%s"}\\n' "$(printf '%s' "$TOKEN" | sed 's/"/\\\\"/g')"
  consume:
    needs: produce
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "leaked=[\${{ needs.produce.outputs.leaked }}]"
          echo "masked=[\${{ needs.produce.outputs.masked }}]"
          echo "fine=[\${{ needs.produce.outputs.fine }}]"
  parse:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ fromJSON(secrets.TOKEN) }}"
`;

const repo = workflowRepo("secrets", workflow);
let json: CliRun;
let plain: CliRun;

/** Every file of the run records under .replay/runs, joined. */
function records(): string {
  const runs = path.join(repo.dir, ".replay/runs");
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else files.push(path.join(d, e.name));
    }
  };
  walk(runs);
  return files.map((f) => readFileSync(f, "utf8")).join("\n");
}

const env = { TOKEN };
beforeAll(async () => {
  json = await runCli(["run", "--secret", "TOKEN", "--secret", "SHORT=q9", "--json"], repo.dir, env);
  plain = await runCli(["run", "--secret", "TOKEN", "--secret", "SHORT=q9"], repo.dir, env);
});
afterAll(() => repo.dispose());

const lines = (run: CliRun, job: string): string[] => {
  const key = run.events.find((e) => e["type"] === "job.started" && e["job"] === job)?.["jobKey"];
  return run.events.filter((e) => e["type"] === "step.output" && e["jobKey"] === key).map((e) => String(e["line"]));
};

describe("secrets", () => {
  it("appear nowhere: not raw, not base64, not in a JSON string, in no channel", () => {
    expect(json.exitCode, json.stderr).toBe(1); // the parse job fails
    for (const [where, text] of [["json", json.stdout + json.stderr], ["plain", plain.stdout + plain.stderr], ["records", records()]] as const) {
      expect(text, where).not.toContain(TOKEN);
      expect(text, where).not.toContain(B64);
      expect(text, where).not.toContain(JSON.stringify(TOKEN).slice(1, -1));
      expect(text, where).not.toContain(DYN);
    }
    const produced = lines(json, "produce");
    expect(produced).toContain("b64: ***");
    expect(produced).toContain('json: {"t":"***"}');
  });

  it("drop a job output that holds one, with the runner's warning; the job that needs it sees ''", () => {
    const done = json.events.find((e) => e["type"] === "job.completed" && e["job"] === "produce");
    expect(done?.["outputs"]).toEqual({ fine: "plain" });
    const warnings = json.events.filter((e) => e["type"] === "notice" && e["level"] === "warning").map((e) => String(e["message"]));
    expect(warnings).toContain("produce: Skip output 'leaked' since it may contain secret.");
    expect(warnings).toContain("produce: Skip output 'masked' since it may contain secret.");
    expect(lines(json, "consume")).toEqual(expect.arrayContaining(["leaked=[]", "masked=[]", "fine=[plain]"]));
    expect(plain.stderr).toContain("warning: produce: Skip output 'leaked' since it may contain secret.");
  });

  it("mask an annotation's title, file and message", () => {
    const a = json.events.find((e) => e["type"] === "step.annotation" && e["level"] === "error" && String(e["message"]).startsWith("message"));
    expect(a).toMatchObject({ message: "message ***", title: "Title ***", file: "src/***.ts", line: 3 });
    const state = JSON.parse(readFileSync(path.join(repo.dir, ".replay/runs", String(json.events.find((e) => e["type"] === "run.started")?.["runId"]), "state.json"), "utf8")) as {
      jobs: { annotations: Record<string, unknown>[] }[];
    };
    expect(state.jobs.flatMap((j) => j.annotations)).toContainEqual(expect.objectContaining({ title: "Title ***", file: "src/***.ts" }));
  });

  it("name the secret when fromJSON fails on it, and show nothing of its value", () => {
    const done = json.events.find((e) => e["type"] === "job.completed" && e["job"] === "parse");
    expect(done?.["result"]).toBe("failure");
    const said = [...lines(json, "parse"), String(done?.["reason"] ?? "")].join("\n");
    expect(said).toContain("fromJSON() failed on the value of secrets.TOKEN (not shown: it is a secret)");
    // The reader stopped at the first character: the message used to end ": T".
    expect(said).not.toMatch(/parsing value: T|character 1/);
  });

  it("say that a very short secret masks every occurrence of it", () => {
    const warnings = json.events.filter((e) => e["type"] === "notice").map((e) => String(e["message"]));
    expect(warnings).toContain(
      "secret SHORT is only 2 characters long: as GitHub's runner does, replay masks every occurrence of it, inside other words too, so expect *** in unrelated output",
    );
  });
});
