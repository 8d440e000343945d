import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import type { CliRun } from "./support/corpus.js";

// Raw Engine API requests from a step to the job's scoped socket, spelled as the docker CLI
// never would: the engine reads JSON keys case-insensitively, so must the API's checks.

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function repoWith(workflow: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-docker-spellings-"));
  dirs.push(dir);
  mkdirSync(path.join(dir, ".github/workflows"), { recursive: true });
  writeFileSync(path.join(dir, ".github/workflows/w.yml"), workflow);
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]]) execFileSync("git", args, { cwd: dir, env: { ...process.env, ...GIT_ENV } });
  return dir;
}
const lines = (r: CliRun): string[] => r.events.filter((e) => e["type"] === "step.output").map((e) => String(e["line"]));

const IMAGE = "replay-base:bookworm";

describe("the job's Docker API, spoken to in raw HTTP", () => {
  it("sees host-reaching options in any spelling of their keys, and forwards only what it checked", async () => {
    const outsider = `replay-outsider-${randomUUID().slice(0, 8)}`;
    execFileSync("docker", ["run", "-d", "--name", outsider, IMAGE, "sleep", "600"], { stdio: "ignore" });
    // label: the request's body (to /containers/create unless it says otherwise)
    const refused: [string, string, string][] = [
      ["networkmode-foreign", `{"Image":"${IMAGE}","HostConfig":{"networkmode":"container:${outsider}"}}`, "(own resources only)"],
      ["pidmode-foreign", `{"Image":"${IMAGE}","HostConfig":{"PIDMODE":"container:${outsider}"}}`, "(own resources only)"],
      ["volumesfrom", `{"Image":"${IMAGE}","hostconfig":{"volumesfrom":["${outsider}"]}}`, "(own resources only)"],
      ["privileged", `{"Image":"${IMAGE}","HostConfig":{"privileged":true}}`, "(privileged): --privileged"],
      ["privileged-repeated", `{"Image":"${IMAGE}","HostConfig":{"Privileged":false,"privileged":true}}`, "(privileged): --privileged"],
      ["privileged-top-level", `{"Image":"${IMAGE}","privileged":true}`, "(known fields only): privileged"],
      ["ipcmode", `{"Image":"${IMAGE}","HostConfig":{"ipcmode":"host"}}`, "(privileged): --ipc host"],
      ["utsmode", `{"Image":"${IMAGE}","HostConfig":{"UtsMode":"host"}}`, "(privileged): --uts host"],
      ["capadd", `{"Image":"${IMAGE}","HostConfig":{"capadd":["ALL"]}}`, "(privileged): --cap-add ALL"],
      ["capadd-string", `{"Image":"${IMAGE}","HostConfig":{"CapAdd":"SYS_ADMIN"}}`, "(privileged): --cap-add SYS_ADMIN"],
      ["securityopt", `{"Image":"${IMAGE}","HostConfig":{"securityopt":["seccomp=unconfined"]}}`, "(privileged): --security-opt seccomp=unconfined"],
      ["devices", `{"Image":"${IMAGE}","HostConfig":{"devices":[{"pathonhost":"/dev/mem","pathincontainer":"/dev/mem","cgrouppermissions":"rwm"}]}}`, "(privileged): --device"],
      ["binds", `{"Image":"${IMAGE}","HostConfig":{"binds":["/etc:/host"]}}`, "(no host paths)"],
      ["unknown-field", `{"Image":"${IMAGE}","HostConfig":{"Privileged2":true}}`, "(known fields only): HostConfig.Privileged2"],
    ];
    const calls = refused.map(([label, body]) => `echo "${label}: $(api /containers/create '${body}')"`);
    const dir = repoWith(`on: push
jobs:
  raw:
    runs-on: ubuntu-latest
    steps:
      - name: raw requests
        run: |
          api() { curl -s --unix-socket "\${DOCKER_HOST#unix://}" -X POST -H 'Content-Type: application/json' -d "$2" -w " status=%{http_code}" "http://d$1"; }
          ${calls.join("\n          ")}
          id=$(api /containers/create '{"image":"${IMAGE}","cmd":["sleep","60"],"hostconfig":{"networkmode":"host","PidMode":"host"}}' | grep -o '"Id":"[^"]*"' | cut -d'"' -f4)
          echo "joined: $(docker inspect -f '{{.HostConfig.NetworkMode}} {{.HostConfig.PidMode}}' "$id")"
          docker start "$id" > /dev/null
          echo "exec-privileged: $(api /containers/$id/exec '{"Cmd":["true"],"privileged":true}')"
          echo "start-hostconfig: $(api /v1.23/containers/$id/start '{"Privileged":true,"Binds":["/:/host"]}')"
          echo "build-network-first: $(api '/build?networkmode=host&networkmode=bridge' '')"
          echo "build-form: $(curl -s --unix-socket "\${DOCKER_HOST#unix://}" -X POST -H 'Content-Type: application/x-www-form-urlencoded' -d 'networkmode=host' -w ' status=%{http_code}' http://d/build)"
          echo "build-unknown: $(api '/build?networkmode2=host' '')"
          docker rm -f "$id" > /dev/null
`);
    try {
      const r = await runCli(["job", "raw", "--json"], dir);
      const out = lines(r);
      expect(r.exitCode, out.join("\n")).toBe(0);
      for (const [label, , words] of refused) {
        const line = out.find((l) => l.startsWith(`${label}: `)) ?? `${label}: no answer`;
        expect(line).toContain(`{"message":"refused by replay ${words}`);
        expect(line).toMatch(/ status=403$/);
      }
      // --network host and --pid host from a step mean the job's container, as on GitHub's runner VM.
      expect(out.find((l) => l.startsWith("joined: "))).toMatch(/^joined: container:[0-9a-f]{64} container:[0-9a-f]{64}$/);
      expect(out).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^exec-privileged: .*refused by replay \(privileged\): docker exec --privileged.* status=403$/),
          expect.stringMatching(/^start-hostconfig: .*refused by replay \(not served\): a HostConfig sent to start.* status=403$/),
          expect.stringMatching(/^build-network-first: .*refused by replay \(privileged\): docker build --network host.* status=403$/),
          expect.stringMatching(/^build-form: .*refused by replay \(not served\): form-encoded bodies.* status=400$/),
          expect.stringMatching(/^build-unknown: .*refused by replay \(known fields only\): build option \\"networkmode2\\".* status=403$/),
        ]),
      );
      expect(execFileSync("docker", ["inspect", "-f", "{{.State.Running}}", outsider], { encoding: "utf8" }).trim()).toBe("true");
    } finally {
      execFileSync("docker", ["rm", "-f", outsider], { stdio: "ignore" });
    }
  });
});
