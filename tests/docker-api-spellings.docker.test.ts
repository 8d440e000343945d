import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import type { CliRun } from "./support/corpus.js";
import { workflowRepo } from "./support/git-repo.js";
import type { GitRepo } from "./support/git-repo.js";

// Raw Engine API requests from a step to the job's scoped socket, spelled as the docker CLI
// never would: the engine reads JSON keys case-insensitively, so must the API's checks.

const repos: GitRepo[] = [];
afterAll(() => {
  for (const r of repos) r.dispose();
});
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
    const repo = workflowRepo("docker-spellings", `on: push
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
          echo "import-url: $(api '/images/create?fromSrc=http%3A%2F%2F127.0.0.1%3A9%2Fx.tar&repo=replay-import' '')"
          docker rm -f "$id" > /dev/null
`);
    repos.push(repo);
    try {
      const r = await runCli(["job", "raw", "--json"], repo.dir);
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
          expect.stringMatching(/^import-url: .*refused by replay \(privileged\): docker import from http:\/\/127.0.0.1:9\/x.tar.* status=403$/),
        ]),
      );
      expect(execFileSync("docker", ["inspect", "-f", "{{.State.Running}}", outsider], { encoding: "utf8" }).trim()).toBe("true");
    } finally {
      execFileSync("docker", ["rm", "-f", outsider], { stdio: "ignore" });
    }
  });

  it("understands every field the docker CLI sends for the flags steps use", async () => {
    const id = randomUUID().slice(0, 8);
    const repo = workflowRepo("docker-cli-fields", `on: push
jobs:
  flags:
    runs-on: ubuntu-latest
    steps:
      - run: |
          set -e
          docker network create --subnet 10.231.0.0/24 --gateway 10.231.0.1 --ip-range 10.231.0.128/25 --aux-address a=10.231.0.5 --opt com.docker.network.driver.mtu=1400 --label l=1 --internal --attachable net-${id}
          docker volume create --driver local --opt type=tmpfs --opt device=tmpfs --opt o=size=1m --label l=1 vol-${id}
          docker run -d --name c-${id} --network net-${id} --network-alias web --ip 10.231.0.10 \\
            -e A=1 -u 0:0 -w /tmp --entrypoint sleep --label l=1 --health-cmd true --health-interval 1s --health-retries 2 --health-start-period 1s --health-timeout 1s \\
            --init --restart on-failure:2 --tmpfs /scratch:size=1m --ulimit nofile=1024:2048 --memory 64m --memory-reservation 32m --cpus 0.5 --cpu-shares 512 \\
            --pids-limit 100 --add-host h:10.0.0.1 --dns 10.0.0.2 --dns-search example.com --dns-option ndots:2 --mount type=volume,source=vol-${id},target=/v \\
            --read-only --shm-size 8m --stop-signal SIGTERM --stop-timeout 5 --sysctl net.ipv4.ip_forward=1 --group-add 10 --cap-drop NET_RAW --cap-add NET_ADMIN \\
            --oom-score-adj 100 --hostname hh --domainname dd --security-opt no-new-privileges --expose 81 -p 8081:80 --log-driver json-file --log-opt max-size=1m \\
            replay-base:bookworm 60
          docker exec -e B=2 -u 0 -w / -t c-${id} true
          docker exec -d c-${id} true
          docker update --memory 96m --memory-swap 128m --cpus 0.6 --restart no --pids-limit 120 c-${id}
          docker run -d --name d-${id} -v /tmp/anon --volumes-from c-${id} --pid container:c-${id} --ipc private replay-base:bookworm sleep 60
          docker network connect --alias extra --ip 10.231.0.20 --link c-${id}:cc net-${id} d-${id}
          docker network disconnect --force net-${id} d-${id}
          docker commit -c 'ENV X=1' -m msg -a me c-${id} img-${id}:1
          printf 'ARG BASE\\nFROM \${BASE}\\nRUN true\\n' > Dockerfile
          docker build --network none --add-host h:10.0.0.1 --label l=1 --build-arg BASE=replay-base:bookworm --shm-size 8m --ulimit nofile=1024:2048 --cpuset-cpus 0 --memory 256m -f Dockerfile --no-cache --pull=false --iidfile /tmp/iid -t img-${id}:2 .
          echo "anon=$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/tmp/anon"}}{{.Name}}{{end}}{{end}}' d-${id})"
          docker rm -f c-${id} d-${id} > /dev/null
          echo all-understood
`);
    repos.push(repo);
    const r = await runCli(["job", "flags", "--json"], repo.dir);
    expect(r.exitCode, lines(r).join("\n")).toBe(0);
    expect(lines(r)).toContain("all-understood");
    // The anonymous volume of d (`-v /tmp/anon`), which `docker rm` without -v keeps, went with the job.
    const anon = /^anon=([0-9a-f]{64})$/.exec(lines(r).find((l) => l.startsWith("anon=")) ?? "")?.[1];
    expect(anon).toBeDefined();
    expect(execFileSync("docker", ["volume", "ls", "-q", "--filter", `name=${anon}`], { encoding: "utf8" }).trim()).toBe("");
  });
});
