import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "./support/corpus.js";
import type { CliRun } from "./support/corpus.js";

// Steps that use Docker themselves, through the scoped API replay serves each job.

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function repoWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-docker-api-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]]) execFileSync("git", args, { cwd: dir, env: { ...process.env, ...GIT_ENV } });
  return dir;
}

const docker = (...args: string[]): string => execFileSync("docker", args, { encoding: "utf8" }).trim();
const exists = (kind: "image" | "container" | "network" | "volume", name: string): boolean => {
  try {
    execFileSync("docker", [kind, "inspect", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const lines = (r: CliRun): string[] => r.events.filter((e) => e["type"] === "step.output").map((e) => String(e["line"]));

// A tiny web server image built from the local base (no registry here).
const DOCKERFILE = `ARG BASE=replay-base:bookworm
FROM \${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
COPY site/ /srv/
WORKDIR /srv
CMD ["python3", "-m", "http.server", "8000"]
`;

const FETCH = `import time, urllib.request
for i in range(100):
    try:
        print("client got:", urllib.request.urlopen("http://web:8000/hello.txt", timeout=2).read().decode().strip())
        break
    except Exception:
        time.sleep(0.2)
else:
    raise SystemExit("web never answered")
`;

function composeFile(project: string): string {
  return `name: ${project}
services:
  web:
    build: { context: ., args: { BASE: "replay-base:bookworm" } }
    ports: ["8080:8000"]
  client:
    build: { context: ., args: { BASE: "replay-base:bookworm" } }
    command: ["sleep", "infinity"]
    depends_on: [web]
    volumes: ["data:/data"]
volumes:
  data: {}
`;
}

describe("a job that uses Docker", () => {
  it("builds, runs and composes through its scoped API; afterwards nothing it made is left", async () => {
    const id = randomUUID().slice(0, 8);
    const project = `e2e${id}`;
    const app = `replay-e2e-app-${id}:1`;
    const dir = repoWith({
      "Dockerfile": DOCKERFILE,
      "site/hello.txt": "hello between services\n",
      "fetch.py": FETCH,
      "compose.yaml": composeFile(project),
      ".github/workflows/w.yml": `on: push
jobs:
  dind:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build --build-arg BASE=replay-base:bookworm -t ${app} .
      - run: docker run --rm ${app} python3 -c 'print("python in the built image")'
      - name: compose
        run: |
          docker compose up -d --build
          docker compose cp fetch.py client:/tmp/fetch.py
          docker compose exec -T client python3 /tmp/fetch.py
          for i in $(seq 100); do curl -sf http://localhost:8080/hello.txt && break; sleep 0.2; done | sed 's/^/job got: /'
          docker compose ps --format '{{.Name}} {{.Ports}}'
`,
    });
    const r = await runCli(["job", "dind", "--json"], dir);
    expect(r.exitCode, r.stdout.slice(-3000) + r.stderr).toBe(0);
    const out = lines(r);
    expect(out).toContain("Successfully tagged " + app);
    expect(out).toContain("python in the built image");
    expect(out).toContain("client got: hello between services");
    expect(out).toContain("job got: hello between services");
    expect(out).toContain(`${project}-web-1 0.0.0.0:8080->8000/tcp`);
    for (const c of [`${project}-web-1`, `${project}-client-1`]) expect(exists("container", c), c).toBe(false);
    expect(exists("network", `${project}_default`)).toBe(false);
    expect(exists("volume", `${project}_data`)).toBe(false);
    for (const image of [app, `${project}-web`, `${project}-client`]) expect(exists("image", image), image).toBe(false);
  });

  it("keeps the images it built with --keep-images, and restores a tag it took from the user", async () => {
    const id = randomUUID().slice(0, 8);
    const mine = `replay-user-${id}:latest`;
    const built = `replay-kept-${id}:1`;
    // The user's own image of that name must come back after the run.
    docker("tag", "replay-base:bookworm", mine);
    const before = docker("image", "inspect", "-f", "{{.Id}}", mine);
    try {
      const dir = repoWith({
        "Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo kept > /kept\n",
        ".github/workflows/w.yml": `on: push
jobs:
  img:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build --build-arg BASE=replay-base:bookworm -t ${built} -t ${mine} .
      - run: docker run --rm ${mine} cat /kept
`,
      });
      const keep = await runCli(["job", "img", "--keep-images", "--json"], dir);
      expect(keep.exitCode, keep.stdout.slice(-2000)).toBe(0);
      expect(lines(keep)).toContain("kept");
      expect(exists("image", built)).toBe(true);
      expect(docker("image", "inspect", "-f", "{{.Id}}", mine)).toBe(before);
      docker("rmi", built);
      const plain = await runCli(["job", "img", "--json"], dir);
      expect(plain.exitCode).toBe(0);
      expect(exists("image", built)).toBe(false);
      expect(docker("image", "inspect", "-f", "{{.Id}}", mine)).toBe(before);
    } finally {
      execFileSync("docker", ["rmi", mine], { stdio: "ignore" });
    }
  });

  it("streams through the API: build output, logs -f, attach, exec with a TTY", async () => {
    const dir = repoWith({
      "Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo building-now\n",
      ".github/workflows/w.yml": `on: push
jobs:
  streams:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build --build-arg BASE=replay-base:bookworm -t replay-streams .
      - name: logs -f
        run: |
          docker run -d --name lg replay-streams sh -c 'echo first; sleep 1; echo second'
          docker logs -f lg | sed 's/^/followed: /'
      - name: attach
        run: |
          docker run -d --name at replay-streams sh -c 'sleep 1; echo from-attach'
          docker attach at | sed 's/^/attached: /'
      - name: exec -t
        run: |
          docker run -d --name ex replay-streams sleep 60
          docker exec -t ex sh -c 'echo "tty=$(tty)"'
          echo "wait=$(docker wait lg)"
`,
    });
    const r = await runCli(["job", "streams", "--json"], dir);
    expect(r.exitCode, r.stdout.slice(-3000)).toBe(0);
    const out = lines(r);
    expect(out).toContain("Step 3/5 : RUN echo building-now");
    expect(out).toContain("building-now");
    expect(out).toEqual(expect.arrayContaining(["followed: first", "followed: second", "attached: from-attach", "wait=0"]));
    expect(out.some((l) => /^tty=\/dev\/pts\/\d+\r?$/.test(l))).toBe(true);
    expect(exists("image", "replay-streams")).toBe(false);
  });

  it("refuses what the job did not create, host paths and --privileged, with Docker's error shape", async () => {
    const outsider = `replay-outsider-${randomUUID().slice(0, 8)}`;
    docker("run", "-d", "--name", outsider, "replay-base:bookworm", "sleep", "600");
    try {
      const dir = repoWith({
        ".github/workflows/w.yml": `on: push
jobs:
  rules:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: exec into a container the job did not create
        run: |
          ! docker exec ${outsider} true
          curl -s --unix-socket "\${DOCKER_HOST#unix://}" -X POST -H 'Content-Type: application/json' -d '{"Cmd":["true"]}' -w ' status=%{http_code}\\n' http://docker/containers/${outsider}/exec
          ! docker stop ${outsider}
          test -z "$(docker ps -aq --filter name=${outsider})"
      - name: host path
        run: "! docker run --rm -v /etc:/host replay-base:bookworm true"
      - name: privileged
        continue-on-error: true
        run: "docker run --rm --privileged replay-base:bookworm echo privileged-ran"
      - name: host capability
        run: "docker run --rm --cap-add SYS_ADMIN replay-base:bookworm echo cap-ran"
`,
      });
      const r = await runCli(["job", "rules", "--json"], dir);
      expect(r.exitCode).toBe(1);
      const out = lines(r).join("\n");
      expect(out).toContain(`refused by replay (own resources only): No such container: ${outsider}`);
      expect(out).toContain(`{"message":"refused by replay (own resources only): container ${outsider} was not created by this job, so it may not exec into it"} status=403`);
      expect(out).toContain(`container ${outsider} was not created by this job, so it may not stop or kill it`);
      expect(out).toContain("refused by replay (no host paths): the job may not mount /etc from this machine");
      expect(out).toContain("refused by replay (privileged): --privileged reaches beyond the container; rerun replay with --allow-privileged to allow it");
      expect(out).toContain("refused by replay (privileged): --cap-add SYS_ADMIN reaches beyond the container");
      const steps = r.events.filter((e) => e["type"] === "step.completed").map((e) => [e["name"], e["outcome"]]);
      expect(steps).toEqual([
        ["Run actions/checkout@v4", "success"],
        ["exec into a container the job did not create", "success"],
        ["host path", "success"],
        ["privileged", "failure"],
        ["host capability", "failure"],
      ]);
      expect(docker("inspect", "-f", "{{.State.Running}}", outsider)).toBe("true");

      // With the flag the requests reach the engine (which, in a sandbox, may still say no
      // to --privileged on its own).
      const allowed = await runCli(["job", "rules", "--allow-privileged", "--json"], dir);
      expect(allowed.exitCode, lines(allowed).join("\n")).toBe(0);
      expect(lines(allowed)).toContain("cap-ran");
      expect(lines(allowed).join("\n")).not.toContain("refused by replay (privileged)");
    } finally {
      execFileSync("docker", ["rm", "-f", outsider], { stdio: "ignore" });
    }
  });

  it("after Ctrl-C and after a crash (then `replay gc`), what the job started is gone", async () => {
    const id = randomUUID().slice(0, 8);
    const dir = repoWith({
      ".github/workflows/w.yml": `on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          docker network create net-${id}
          docker volume create vol-${id}
          docker run -d --name c-${id} --network net-${id} -v vol-${id}:/v replay-base:bookworm sleep 600
          echo started
          sleep 300
`,
    });
    const left = (): string[] => [exists("container", `c-${id}`) && "container", exists("network", `net-${id}`) && "network", exists("volume", `vol-${id}`) && "volume"].filter((x): x is string => typeof x === "string");
    for (const signal of ["SIGINT", "SIGKILL"] as const) {
      const child = spawn(process.execPath, [CLI, "job", "slow", "--json"], { cwd: dir, env: { ...process.env, CI: "true" } });
      let out = "";
      const code = await new Promise<number | null>((resolve) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes('"line":"started"') && !child.killed) child.kill(signal);
        });
        child.on("close", (c) => resolve(c));
      });
      if (signal === "SIGINT") {
        expect(code).toBe(130);
      } else {
        expect(left()).toEqual(["container", "network", "volume"]);
        expect((await runCli(["gc"], dir)).exitCode).toBe(0);
      }
      expect(left(), signal).toEqual([]);
    }
  });
});
