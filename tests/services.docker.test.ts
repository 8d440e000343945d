import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCaseImages, corpusCases, runCli } from "./support/corpus.js";
import { workflowRepo } from "./support/git-repo.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";

const disposals: (() => void)[] = [];

function repoWith(workflow: string): string {
  const repo = workflowRepo("services", workflow, { "ping.sh": { text: PING_SCRIPT, mode: 0o755 } });
  disposals.push(repo.dispose);
  return repo.dir;
}

const labelled = (): Promise<string> => leftAfterRemoval(["dev.replay.run"]);
const stepsOf = (events: Record<string, unknown>[]): [unknown, unknown][] => events.filter((e) => e["type"] === "step.completed").map((e) => [e["name"], e["result"]]);

beforeAll(() => {
  // The corpus's stand-in for redis:7-alpine, built from the local base.
  const services = corpusCases().find((c) => c.name === "services");
  if (services) buildCaseImages(services);
});
afterAll(() => {
  for (const dispose of disposals) dispose();
});

// Talks to redis with bash alone: the container job's image has no redis-cli or node.
const PING_SCRIPT = `#!/bin/bash
exec 3<>"/dev/tcp/$1/6379"
printf 'PING\\r\\n' >&3
read -r -t 5 line <&3
echo "reply from $1: \${line%$'\\r'}"
`;

describe("services", () => {
  it("are reached on localhost from a runner job and by name from a container: job", async () => {
    const dir = repoWith(`on: push
jobs:
  hosted:
    runs-on: ubuntu-latest
    services:
      cache:
        image: redis:7-alpine
        ports: ["6379:6379"]
        options: --health-cmd "redis-cli ping" --health-interval 1s --health-retries 20
    steps:
      - uses: actions/checkout@v4
      - run: ./ping.sh localhost
      - run: echo "id=\${{ job.services.cache.id }} network=\${{ job.services.cache.network }} port=\${{ job.services.cache.ports['6379'] }}"
  in-container:
    runs-on: ubuntu-latest
    container: replay-base:bookworm
    services:
      cache:
        image: redis:7-alpine
        options: --health-cmd "redis-cli ping" --health-interval 1s --health-retries 20
    steps:
      - uses: actions/checkout@v4
      - run: ./ping.sh cache
      - run: echo "workspace=$GITHUB_WORKSPACE home=$HOME user=$(id -u)"
`);
    const r = await runCli(["run", "--json"], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("reply from localhost: +PONG");
    expect(r.stdout).toContain("reply from cache: +PONG");
    expect(r.stdout).toMatch(/id=[0-9a-f]{64} network=replay-\S+ port=6379/);
    expect(r.stdout).toMatch(/workspace=\/__w\/[^/]+\/[^/ ]+ home=\/github\/home user=0/);
    expect(await labelled()).toBe("");
  });

  it("a service that never becomes healthy fails the job and shows its log", async () => {
    const dir = repoWith(`on: push
jobs:
  sick:
    runs-on: ubuntu-latest
    services:
      cache:
        image: redis:7-alpine
        options: --health-cmd "exit 1" --health-interval 1s --health-timeout 1s --health-retries 2
    steps:
      - run: echo never
`);
    const r = await runCli(["job", "sick", "--json"], dir);
    expect(r.exitCode).toBe(1);
    expect(stepsOf(r.events)).toEqual([["Initialize containers", "failure"]]);
    expect(r.stdout).toContain("service cache is unhealthy");
    expect(r.stdout).toMatch(/Ready to accept connections|Server initialized/);
    expect(r.stdout).not.toContain('"line":"never"');
    expect(await labelled()).toBe("");
  });

  it("a missing service image fails the job naming the image", async () => {
    const dir = repoWith("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    services:\n      db:\n        image: no-such-image-anywhere:1\n    steps:\n      - run: echo hi\n");
    const r = await runCli(["job", "a", "--json"], dir);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("no-such-image-anywhere:1 is not present locally and could not be pulled");
  });
});

describe("secrets", () => {
  it("masks every line of a multi-line secret and ::add-mask:: values in plain output, JSON and the run record", async () => {
    const dir = repoWith(`on: push
jobs:
  leak:
    runs-on: ubuntu-latest
    steps:
      - env:
          KEY: \${{ secrets.MULTI }}
        run: |
          echo "whole: $KEY"
          printf '%s\\n' "$KEY" | sed 's/^/line: /'
          echo "::add-mask::dynamic-value-42"
          echo "dynamic: dynamic-value-42"
`);
    const env = { MULTI: "first-line-secret\nsecond-line-secret" };
    const plain = await runCli(["job", "leak", "--secret", "MULTI"], dir, env);
    const json = await runCli(["job", "leak", "--secret", "MULTI", "--json"], dir, env);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(json.exitCode).toBe(0);
    const runs = path.join(dir, ".replay/runs");
    const record = readdirSync(runs)
      .flatMap((id) => {
        const files: string[] = [];
        const walk = (d: string): void => {
          for (const e of readdirSync(d, { withFileTypes: true })) {
            if (e.isDirectory()) walk(path.join(d, e.name));
            else files.push(path.join(d, e.name));
          }
        };
        walk(path.join(runs, id));
        return files;
      })
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    for (const [where, text] of [["plain", plain.stdout + plain.stderr], ["json", json.stdout + json.stderr], ["record", record]] as const) {
      expect(text, where).not.toContain("first-line-secret");
      expect(text, where).not.toContain("second-line-secret");
      expect(text, where).not.toContain("dynamic-value-42");
    }
    expect(plain.stdout).toContain("line: ***");
    expect(plain.stdout).toContain("dynamic: ***");
  });
});

describe("events and inputs", () => {
  const dispatch = `on:
  workflow_dispatch:
    inputs:
      target:
        type: choice
        options: [staging, production]
        required: true
      dry:
        type: boolean
        default: true
      count:
        type: number
        default: 3
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: echo "target=\${{ inputs.target }} dry=\${{ inputs.dry }} count=\${{ inputs.count }} event=\${{ github.event_name }} payload=\${{ github.event.inputs.target }}"
`;

  it("types inputs, applies defaults and puts them in the payload", async () => {
    const dir = repoWith(dispatch);
    const r = await runCli(["job", "show", "--event", "workflow_dispatch", "--input", "target=production", "--json"], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("target=production dry=true count=3 event=workflow_dispatch payload=production");
  });

  it.each([
    [["--input", "target=qa"], ["target", "staging", "production"]],
    [["--input", "target=staging", "--input", "nope=1"], ["nope", "target", "dry", "count"]],
    [[], ["target", "--input"]],
    [["--input", "target=staging", "--input", "dry=maybe"], ["dry", "true", "false"]],
  ])("refuses %j with exit 2 naming the problem", async (args, mentions) => {
    const dir = repoWith(dispatch);
    const r = await runCli(["job", "show", "--event", "workflow_dispatch", ...args], dir);
    expect(r.exitCode, r.stderr).toBe(2);
    for (const m of mentions) expect(r.stderr).toContain(m);
    expect(await labelled()).toBe("");
  });

  it("synthesizes a pull_request payload with head and base", async () => {
    const dir = repoWith(`on: pull_request
jobs:
  pr:
    runs-on: ubuntu-latest
    steps:
      - run: echo "head=\${{ github.head_ref }} base=\${{ github.base_ref }} ref=$GITHUB_REF pr=\${{ github.event.pull_request.base.ref }}"
`);
    const r = await runCli(["run", "--event", "pull_request", "--base", "develop", "--json"], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("head=main base=develop ref=refs/pull/1/merge pr=develop");
  });

  it("takes the user's own payload with --event-path, and refuses one that is not JSON", async () => {
    const dir = repoWith(`on: release
jobs:
  r:
    runs-on: ubuntu-latest
    steps:
      - run: echo "tag=\${{ github.event.release.tag_name }}"
`);
    const payload = path.join(dir, "..", `${path.basename(dir)}-event.json`);
    writeFileSync(payload, JSON.stringify({ action: "published", release: { tag_name: "v9.9.9" } }));
    const r = await runCli(["run", "--event", "release", "--event-path", payload, "--json"], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('"line":"tag=v9.9.9"');
    writeFileSync(payload, "{ not json");
    const bad = await runCli(["run", "--event", "release", "--event-path", payload], dir);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("--event-path");
    rmSync(payload, { force: true });
  });
});

describe("the deploy guard", () => {
  const deploy = `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo built
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: echo DEPLOYED
`;
  it("skips a job with an environment unless --environment allows it, saying how", async () => {
    const dir = repoWith(deploy);
    const r = await runCli(["run", "--json"], dir);
    expect(r.exitCode).toBe(0);
    const job = r.events.find((e) => e["type"] === "job.completed" && e["job"] === "deploy");
    expect(job?.["result"]).toBe("skipped");
    expect(String(job?.["reason"])).toContain("--environment production");
    expect(r.stdout).not.toContain("DEPLOYED");
    const allowed = await runCli(["run", "--environment", "production", "--json"], dir);
    expect(allowed.stdout).toContain('"line":"DEPLOYED"');
  });
});

describe("OIDC", () => {
  it("a step that asks for an OIDC token fails, saying a local replay has none", async () => {
    const dir = repoWith(`on: push
permissions:
  id-token: write
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - name: Ask for a token
        run: |
          node -e '
            fetch(process.env.ACTIONS_ID_TOKEN_REQUEST_URL + "&audience=sts.amazonaws.com", { headers: { authorization: "bearer " + process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN } })
              .then(async (r) => { const body = await r.json(); if (!r.ok) { console.log("Failed to get ID Token: " + body.message); process.exit(1); } })'
  no-permission:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - run: test -z "$ACTIONS_ID_TOKEN_REQUEST_URL" && echo "no token endpoint without id-token write"
`);
    const r = await runCli(["run", "--json"], dir);
    expect(r.exitCode).toBe(1);
    expect(stepsOf(r.events)).toContainEqual(["Ask for a token", "failure"]);
    expect(r.stdout).toContain("OIDC tokens are not available in a local replay");
    expect(r.stdout).toContain("no token endpoint without id-token write");
  });
});
