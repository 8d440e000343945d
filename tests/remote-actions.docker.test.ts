// Remote actions end to end: a bare repository per action served by `git daemon` on
// loopback (as github.com would serve them), replays through the built CLI with
// --github-url pointing there, and the action cache in a folder of the test's own.
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliRun } from "./support/corpus.js";
import { runCli } from "./support/corpus.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
const root = mkdtempSync(path.join(os.tmpdir(), "replay-remote-actions-"));
const served = path.join(root, "served");
const cacheHome = path.join(root, "cache");

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: "utf8" }).trim();
}

/** A repository of files, committed, tagged, and published as a bare repo under `served/`. */
function publish(name: string, files: Record<string, string>, tags: string[] = ["v1"]): string {
  const work = path.join(root, "src", name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    writeFileSync(path.join(work, file), content);
    if (file.endsWith(".sh")) chmodSync(path.join(work, file), 0o755);
  }
  git(work, "init", "-q", "-b", "main");
  git(work, "add", "-A");
  git(work, "commit", "-qm", `${name} 1`);
  for (const t of tags) git(work, "tag", "-a", t, "-m", t);
  const bare = path.join(served, `${name}.git`);
  mkdirSync(path.dirname(bare), { recursive: true });
  execFileSync("git", ["clone", "-q", "--bare", work, bare]);
  return git(work, "rev-parse", "HEAD");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

let daemon: ChildProcess | undefined;
let port = 0;

async function startDaemon(): Promise<void> {
  port = await freePort();
  daemon = spawn("git", ["daemon", "--export-all", `--base-path=${served}`, `--port=${port}`, "--listen=127.0.0.1", "--reuseaddr", served], { stdio: "ignore" });
  for (let i = 0; i < 50; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, "127.0.0.1", () => {
        c.end();
        resolve(true);
      });
      c.on("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("git daemon did not start");
}

function stopDaemon(): void {
  daemon?.kill("SIGTERM");
  daemon = undefined;
}

const JS_MAIN = `
const fs = require("node:fs");
console.log("node " + process.version + " runs " + process.env.GITHUB_ACTION_PATH.split("/").slice(-1)[0]);
console.log("input who=" + process.env.INPUT_WHO + " greeting=" + process.env.INPUT_GREETING_WORD + " state fromPre=" + (process.env.STATE_fromPre || ""));
console.log("runtime url=" + (process.env.ACTIONS_RUNTIME_URL ? "set" : "unset") + " repo=" + process.env.GITHUB_ACTION_REPOSITORY + " ref=" + process.env.GITHUB_ACTION_REF);
fs.appendFileSync(process.env.GITHUB_OUTPUT, "greeting=" + process.env.INPUT_GREETING_WORD + " " + process.env.INPUT_WHO + "\\n");
fs.appendFileSync(process.env.GITHUB_STATE, "fromMain=" + process.version + "\\n");
`;
const JS_PRE = `require("node:fs").appendFileSync(process.env.GITHUB_STATE, "fromPre=yes\\n"); console.log("pre ran on node " + process.version);`;
const JS_POST = `console.log("post of " + process.env.GITHUB_ACTION_PATH.split("/").slice(-1)[0] + " saw fromPre=" + (process.env.STATE_fromPre || "") + " fromMain=" + process.env.STATE_fromMain);`;

let jsSha = "";

beforeAll(async () => {
  jsSha = publish("acme/js-actions", {
    "node20/action.yml": `name: JS 20\ninputs:\n  who: {required: true}\n  greeting word: {default: hello}\noutputs:\n  greeting: {description: the greeting}\nruns:\n  using: node20\n  pre: pre.js\n  main: main.js\n  post: post.js\n`,
    "node20/pre.js": JS_PRE,
    "node20/main.js": JS_MAIN,
    "node20/post.js": JS_POST,
    "node16/action.yml": `name: JS 16\ninputs:\n  who: {default: sixteen}\nruns:\n  using: node16\n  main: main.js\n  post: post.js\n  post-if: always()\n`,
    "node16/main.js": JS_MAIN,
    "node16/post.js": JS_POST,
  });
  publish("acme/composite", {
    "action.yml": `name: Composite
inputs:
  who: {default: nobody}
outputs:
  result: {value: "\${{ steps.inner.outputs.greeting }}"}
runs:
  using: composite
  steps:
    - id: inner
      uses: acme/js-actions/node20@v1
      with: {who: "\${{ inputs.who }}"}
    - run: echo "composite saw \${{ steps.inner.outputs.greeting }}; INPUT_WHO='$INPUT_WHO'"
      shell: bash
`,
  });
  publish("acme/docker-action", {
    "action.yml": `name: Docker greeter
inputs:
  who: {default: world}
outputs:
  said: {description: what it said}
runs:
  using: docker
  image: Dockerfile
  args: ["--who", "\${{ inputs.who }}"]
  env:
    MODE: from-action-yml
  pre-entrypoint: /pre.sh
  post-entrypoint: /post.sh
`,
    Dockerfile: "FROM replay-base:bookworm\nCOPY entrypoint.sh pre.sh post.sh /\nENTRYPOINT [\"/entrypoint.sh\"]\n",
    "entrypoint.sh": `#!/bin/sh
echo "docker args: $*"
echo "who=$INPUT_WHO mode=$MODE home=$HOME ws=$GITHUB_WORKSPACE pwd=$(pwd) temp=$RUNNER_TEMP"
test -f README.md && echo "workspace visible"
test -f "$GITHUB_EVENT_PATH" && echo "event visible at $GITHUB_EVENT_PATH"
echo "said=hi $INPUT_WHO" >> "$GITHUB_OUTPUT"
echo "::set-output name=legacy::by command"
echo "::save-state name=fromMain::docker main"
echo "FROM_DOCKER=yes" >> "$GITHUB_ENV"
echo "made by docker" > from-docker.txt
rm -f delete-me.txt
`,
    "pre.sh": "#!/bin/sh\necho \"docker pre ran, who=$INPUT_WHO\"\n",
    "post.sh": "#!/bin/sh\necho \"docker post ran, fromMain=$STATE_fromMain\"\n",
  });
  // A stand-in for the real actions/checkout, to show --no-builtin fetching and running it.
  publish("actions/checkout", {
    "action.yml": "name: Checkout\ninputs:\n  fetch-depth: {default: 1}\nruns:\n  using: node20\n  main: index.js\n",
    "index.js": 'console.log("the real checkout ran with fetch-depth=" + process.env["INPUT_FETCH-DEPTH"]);\n',
  }, ["v4"]);
  await startDaemon();
}, 120_000);

afterAll(() => {
  stopDaemon();
  rmSync(root, { recursive: true, force: true });
});

/** A repository holding one workflow (and any other files), committed. */
function repoWith(workflow: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(root, "repo-"));
  for (const [file, content] of Object.entries({ ".github/workflows/w.yml": workflow, "README.md": "# test\n", "delete-me.txt": "x\n", ...files })) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "init");
  return dir;
}

function record(r: CliRun): CliRun {
  for (const e of r.events) if (e["type"] === "run.started") runIds.push(String(e["runId"]));
  return r;
}

async function replay(dir: string, args: string[]): Promise<CliRun> {
  return record(await runCli([...args, "--github-url", `git://127.0.0.1:${port}`, "--json"], dir, { XDG_CACHE_HOME: cacheHome }));
}

const completed = (r: CliRun): [string, string][] =>
  r.events.filter((e) => e["type"] === "step.completed").map((e) => [String(e["name"]), String(e["result"])]);

/** The log of the step with this name (the first such step). */
function log(r: CliRun, name: string): string {
  const step = r.events.find((e) => e["type"] === "step.started" && e["name"] === name);
  if (!step) return `(no step '${name}')`;
  return r.events
    .filter((e) => e["type"] === "step.output" && e["step"] === step["step"] && e["jobKey"] === step["jobKey"])
    .map((e) => String(e["line"]))
    .join("\n");
}

/** Containers left by this file's replays (other replays may run on the same engine meanwhile). */
const runIds: string[] = [];
const labelled = (): Promise<string> => leftAfterRemoval(runIds.map((id) => `dev.replay.run=${id}`));

const MAIN_WORKFLOW = `on: push
jobs:
  remote:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: JS 20
        id: js20
        uses: acme/js-actions/node20@v1
        with:
          who: replay
          greeting word: hi
      - name: JS 16
        uses: acme/js-actions/node16@main
      - name: Composite
        id: comp
        uses: acme/composite@v1
        with: {who: composite}
      - name: Local env check
        uses: ./.github/actions/env-check
      - name: Docker
        id: dock
        uses: acme/docker-action@v1
        with: {who: docker}
      - name: Plain image
        uses: docker://replay-base:bookworm
        with: {args: echo hi from a plain image}
      - name: Local docker
        uses: ./.github/actions/local-docker
        with: {word: local}
      - name: Outputs came back
        run: |
          echo "js20=\${{ steps.js20.outputs.greeting }} comp=\${{ steps.comp.outputs.result }} dock=\${{ steps.dock.outputs.said }}"
          test "\${{ steps.js20.outputs.greeting }}" = "hi replay"
          test "\${{ steps.comp.outputs.result }}" = "hello composite"
          test "\${{ steps.dock.outputs.said }}" = "hi docker"
          test "\${{ steps.dock.outputs.legacy }}" = "by command"
          test "$FROM_DOCKER" = yes && test "$EXPORTED" = kept && test -z "$INNER_ONLY"
          test "$(cat from-docker.txt)" = "made by docker" && test ! -e delete-me.txt
          stat -c '%U' from-docker.txt
      - name: Fail
        run: exit 1
      - name: Never
        run: echo never
`;

const ENV_CHECK = `name: Env check
runs:
  using: composite
  steps:
    - run: echo "EXPORTED=kept" >> "$GITHUB_ENV"
      shell: bash
      env: {INNER_ONLY: inner}
    - run: echo "inner sees INNER_ONLY='$INNER_ONLY' EXPORTED=$EXPORTED"
      shell: sh
`;

describe("remote actions from a git server", () => {
  let first: CliRun;
  let dir: string;

  beforeAll(async () => {
    dir = repoWith(MAIN_WORKFLOW, {
      ".github/actions/env-check/action.yml": ENV_CHECK,
      ".github/actions/local-docker/action.yml": "name: Local docker\ninputs:\n  word: {required: true}\nruns:\n  using: docker\n  image: Dockerfile\n",
      ".github/actions/local-docker/Dockerfile": 'FROM replay-base:bookworm\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["sh", "/entrypoint.sh"]\n',
      ".github/actions/local-docker/entrypoint.sh": 'echo "local docker says $INPUT_WORD"\n',
    });
    first = await replay(dir, ["job", "remote"]);
  }, 600_000);

  it("runs pre steps first, then the steps, then post steps in reverse order after a failure", () => {
    expect(first.exitCode, first.stderr.slice(-3000)).toBe(1);
    expect(completed(first)).toEqual([
      ["Pre JS 20", "success"],
      ["Pre Docker", "success"],
      ["Run actions/checkout@v4", "success"],
      ["JS 20", "success"],
      ["JS 16", "success"],
      ["Composite", "success"],
      ["Local env check", "success"],
      ["Docker", "success"],
      ["Plain image", "success"],
      ["Local docker", "success"],
      ["Outputs came back", "success"],
      ["Fail", "failure"],
      ["Never", "skipped"],
      // Last registered first; an action with a pre step registers its post at job start.
      ["Post Composite", "success"],
      ["Post JS 16", "success"],
      ["Post Docker", "success"],
      ["Post JS 20", "success"],
    ]);
  });

  it("runs each JavaScript action on the Node its `using` maps to, from the tool cache", () => {
    expect(log(first, "Pre JS 20")).toMatch(/pre ran on node v20\./);
    expect(log(first, "JS 20")).toMatch(/node v20\.\d+\.\d+ runs node20/);
    // node16 actions run on node20, as the runner does today, with its deprecation warning.
    expect(log(first, "JS 16")).toMatch(/node v20\.\d+\.\d+ runs node16/);
    expect(log(first, "JS 16")).toContain("##[warning]Node.js 16 actions are deprecated. Please update the following actions to use Node.js 20: acme/js-actions/node16@main.");
  });

  it("gives INPUT_* with defaults, GITHUB_ACTION_REPOSITORY/REF, and STATE_* across pre, main and post", () => {
    expect(log(first, "JS 20")).toContain("input who=replay greeting=hi state fromPre=yes");
    expect(log(first, "JS 20")).toContain("repo=acme/js-actions ref=v1");
    expect(log(first, "JS 16")).toContain("input who=sixteen greeting=undefined state fromPre=");
    expect(log(first, "Post JS 20")).toMatch(/post of node20 saw fromPre=yes fromMain=v20\./);
    expect(log(first, "Post JS 16")).toMatch(/post of node16 saw fromPre= fromMain=v20\./);
  });

  it("runs a remote composite action with a nested remote action, its outputs and no INPUT_*", () => {
    expect(log(first, "Composite")).toContain("composite saw hello composite; INPUT_WHO=''");
    expect(log(first, "Post Composite")).toMatch(/post of node20 saw fromPre= fromMain=v20\./);
    expect(log(first, "Local env check")).toContain("inner sees INNER_ONLY='' EXPORTED=kept");
  });

  it("runs a Dockerfile action in a container of its own with GitHub's mounts, args and env", () => {
    const docker = log(first, "Docker");
    expect(docker).toContain("docker args: --who docker");
    expect(docker).toContain("who=docker mode=from-action-yml home=/github/home ws=/github/workspace pwd=/github/workspace temp=/github/runner_temp");
    expect(docker).toContain("workspace visible");
    expect(docker).toContain("event visible at /github/workflow/event.json");
    expect(log(first, "Pre Docker")).toContain("docker pre ran, who=docker");
    expect(log(first, "Post Docker")).toContain("docker post ran");
    expect(log(first, "Plain image")).toContain("hi from a plain image");
    expect(log(first, "Local docker")).toContain("local docker says local");
    // What the action wrote in the workspace is there afterwards, owned by the container's user as on GitHub.
    expect(log(first, "Outputs came back")).toContain("root");
  });

  it("reads a Docker action's workflow commands as a run: step's: ::set-output and ::save-state work, with GitHub's warning", () => {
    const step = first.events.find((e) => e["type"] === "step.started" && e["name"] === "Docker")?.["step"];
    const warnings = first.events.filter((e) => e["type"] === "step.annotation" && e["step"] === step && e["level"] === "warning").map((e) => String(e["message"]));
    const deprecated = (command: string): string =>
      `The \`${command}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/`;
    expect(warnings).toEqual(expect.arrayContaining([deprecated("set-output"), deprecated("save-state")]));
    expect(log(first, "Docker")).toContain(`##[warning]${deprecated("set-output")}`);
    expect(log(first, "Post Docker")).toContain("docker post ran, fromMain=docker main");
  });

  it("leaves no container behind", async () => {
    expect(await labelled()).toBe("");
  });

  it("reuses the clone cache: with the server stopped, --offline and a SHA-pinned action both run", async () => {
    stopDaemon();
    try {
      const offline = await replay(dir, ["job", "remote", "--offline"]);
      expect(offline.exitCode, offline.stderr.slice(-3000)).toBe(1);
      expect(completed(offline).filter(([, r]) => r === "failure")).toEqual([["Fail", "failure"]]);
      const pinned = repoWith(`on: push\njobs:\n  pinned:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Pinned\n        uses: acme/js-actions/node16@${jsSha}\n`);
      const r = await replay(pinned, ["job", "pinned"]);
      expect(r.exitCode, r.stderr.slice(-3000)).toBe(0);
      expect(log(r, "Pinned")).toMatch(/node v20\./);
    } finally {
      await startDaemon();
    }
  }, 600_000);

  it("--offline names the action missing from the cache and refuses with exit 2 before anything runs", async () => {
    const missing = repoWith(`on: push\njobs:\n  m:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/js-actions/node20@v1\n        with: {who: x}\n      - uses: acme/never-fetched@v9\n`);
    const r = await replay(missing, ["job", "m", "--offline"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: the action `acme/never-fetched@v9` is not in replay's action cache");
    expect(r.stderr).toContain("replay actions vendor");
    expect(r.events.some((e) => e["type"] === "job.started")).toBe(false);
  });

  it("refuses a short SHA as GitHub does, naming the full one", async () => {
    const short = jsSha.slice(0, 7);
    const r = await replay(repoWith(`on: push\njobs:\n  s:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/js-actions/node20@${short}\n`), ["job", "s"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      `error: Unable to resolve action \`acme/js-actions@${short}\`, the provided ref \`${short}\` is the shortened version of a commit SHA, which is not supported. Please use the full commit SHA \`${jsSha}\` instead.`,
    );
  });

  it("refuses a tag that does not exist, as GitHub words it", async () => {
    const r = await replay(repoWith(`on: push\njobs:\n  s:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/js-actions/node20@v404\n`), ["job", "s"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: Unable to resolve action `acme/js-actions@v404`, unable to find version `v404`");
  });

  it.each<[string, string, string]>([
    ["an unresolvable host", "https://github.invalid", "cannot reach github.invalid to fetch `acme/js-actions/node20@%REF%`: Could not resolve host: github.invalid"],
    ["a closed port", "http://127.0.0.1:9", "cannot reach 127.0.0.1:9 to fetch `acme/js-actions/node20@%REF%`: Failed to connect to 127.0.0.1 port 9"],
  ])("names %s as the cause when the server cannot be reached, for a tag and for a full SHA", async (_name, url, message) => {
    const emptyCache = mkdtempSync(path.join(root, "unreachable-cache-"));
    for (const ref of ["v1", "0123456789abcdef0123456789abcdef01234567"]) {
      const dir = repoWith(`on: push\njobs:\n  s:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/js-actions/node20@${ref}\n`);
      const r = await runCli(["job", "s", "--github-url", url], dir, { XDG_CACHE_HOME: emptyCache });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`error: ${message.replace("%REF%", ref)}`);
      expect(r.stderr).toContain("hint: `replay actions vendor` where it answers, or `--offline` with the action cache");
      expect(r.stderr).not.toMatch(/repository not found|unable to find version/);
    }
  });

  it("`replay actions vendor` fetches every action the workflows use, into the cache", async () => {
    const vendorCache = path.join(root, "vendor-cache");
    const r = await runCli(["actions", "vendor", "--github-url", `git://127.0.0.1:${port}`, "--json"], dir, { XDG_CACHE_HOME: vendorCache });
    expect(r.exitCode, r.stderr).toBe(0);
    const listed = (JSON.parse(r.stdout) as { actions: { uses: string; commit: string }[] }).actions.map((a) => a.uses);
    expect(listed.sort()).toEqual(["acme/composite@v1", "acme/docker-action@v1", "acme/js-actions/node16@main", "acme/js-actions/node20@v1"]);
    stopDaemon();
    try {
      const offline = record(await runCli(["job", "remote", "--offline", "--json"], dir, { XDG_CACHE_HOME: vendorCache }));
      expect(offline.exitCode, offline.stderr.slice(-2000)).toBe(1);
      expect(completed(offline).find(([n]) => n === "Docker")?.[1]).toBe("success");
    } finally {
      await startDaemon();
    }
  }, 600_000);

  it("built-ins come first; --no-builtin runs the real action from the server", async () => {
    const w = repoWith(`on: push\njobs:\n  c:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Checkout\n        uses: actions/checkout@v4\n`);
    const builtin = await replay(w, ["job", "c"]);
    expect(builtin.exitCode, builtin.stderr.slice(-2000)).toBe(0);
    expect(log(builtin, "Checkout")).toContain("replay's built-in actions/checkout");
    const real = await replay(w, ["job", "c", "--no-builtin", "actions/checkout"]);
    expect(real.exitCode, real.stderr.slice(-2000)).toBe(0);
    expect(log(real, "Checkout")).toContain("the real checkout ran with fetch-depth=1");
    const typo = await replay(w, ["job", "c", "--no-builtin", "actions/chekout"]);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain("--no-builtin actions/chekout: replay has no built-in action of that name");
  }, 300_000);

  it("the Rust and wasm-pack built-ins, and a docker:// action, fail naming the image that lacks what they need", async () => {
    const w = repoWith(
      `on: push\njobs:\n  tools:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Rust\n        uses: dtolnay/rust-toolchain@stable\n        with: {components: clippy}\n        continue-on-error: true\n      - name: Rust (actions-rs)\n        uses: actions-rs/toolchain@v1\n        continue-on-error: true\n      - name: Wasm\n        uses: jetli/wasm-pack-action@v0.4.0\n        continue-on-error: true\n      - name: Missing image\n        uses: docker://replay-missing-image:never\n        continue-on-error: true\n`,
    );
    // Without --image replay would pick its Rust and wasm-pack images for these steps.
    const runnerImage = String(first.events.find((e) => e["type"] === "job.started")?.["image"]);
    const r = await replay(w, ["job", "tools", "--image", `ubuntu-latest=${runnerImage}`]);
    expect(r.exitCode, r.stderr.slice(-2000)).toBe(0);
    expect(r.events.filter((e) => e["type"] === "step.completed").map((e) => e["outcome"])).toEqual(["failure", "failure", "failure", "failure"]);
    const image = String(r.events.find((e) => e["type"] === "job.started")?.["image"]);
    expect(log(r, "Rust")).toContain(`dtolnay/rust-toolchain: the job's image ${image} has no Rust toolchain (rustc is not on PATH)`);
    expect(log(r, "Rust (actions-rs)")).toContain(`actions-rs/toolchain: the job's image ${image} has no Rust toolchain`);
    expect(log(r, "Wasm")).toContain(`jetli/wasm-pack-action: the job's image ${image} has no wasm-pack`);
    expect(log(r, "Missing image")).toContain("the image replay-missing-image:never of docker://replay-missing-image:never is not on this machine, and replay does not pull action images");
  }, 300_000);

  it("leaves no container behind at the end", async () => {
    expect(await labelled()).toBe("");
  });
});
