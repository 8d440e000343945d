import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReplayError } from "../../common/index.js";
import { connectDocker } from "./connect-docker.js";
import { ensureImage, planImage } from "./image-builder.js";
import { runLabels } from "./labels.js";

interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function run(docker: Docker, container: Docker.Container, script: string): Promise<ExecResult> {
  const exec = await container.exec({ Cmd: ["bash", "-c", script], User: "runner", AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (b: Buffer) => out.push(b));
  stderr.on("data", (b: Buffer) => err.push(b));
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  const { ExitCode } = await exec.inspect();
  return { exitCode: ExitCode ?? -1, stdout: Buffer.concat(out).toString().trim(), stderr: Buffer.concat(err).toString().trim() };
}

describe("the runner image", () => {
  let docker: Docker;
  let tag: string;
  let container: Docker.Container | undefined;
  const progress: string[] = [];
  let firstBuildMs = 0;

  beforeAll(async () => {
    ({ docker } = await connectDocker());
    const started = Date.now();
    tag = await ensureImage(docker, { name: "runner", onProgress: (line) => progress.push(line) });
    firstBuildMs = Date.now() - started;
    console.log(`ensureImage(runner) -> ${tag} in ${firstBuildMs} ms (${progress.length} progress lines)`);
    container = await docker.createContainer({
      Image: tag,
      Cmd: ["sleep", "infinity"],
      Labels: runLabels(`image-builder-test-${randomUUID().slice(0, 8)}`),
      HostConfig: { AutoRemove: false },
    });
    await container.start();
  });

  afterAll(async () => {
    await container?.remove({ force: true });
  });

  const check = async (script: string): Promise<ExecResult> => {
    if (container === undefined) throw new Error("no container");
    const result = await run(docker, container, script);
    expect(result, `${script}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toMatchObject({ exitCode: 0 });
    return result;
  };

  it("is tagged after its content hash", () => {
    expect(tag).toMatch(/^replay-runner:[0-9a-f]{12}$/);
  });

  it("runs steps as runner (uid 1001) with passwordless sudo, in /home/runner", async () => {
    expect((await check("id -u")).stdout).toBe("1001");
    expect((await check("id -g")).stdout).toBe("1001");
    await check("sudo -n true");
    expect((await check("pwd")).stdout).toBe("/home/runner");
    expect((await check("stat -c %U /home/runner/work /opt/hostedtoolcache")).stdout.split("\n")).toEqual(["runner", "runner"]);
  });

  it("has Node 22 on PATH (and in /usr/local/bin for sudo), and Node 18, 20, 22 and 24 in the tool cache with npm, all marked complete", async () => {
    expect((await check("node --version")).stdout).toMatch(/^v22\./);
    expect((await check("sudo node --version")).stdout).toMatch(/^v22\./);
    expect((await check("npm --version")).stdout).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await check("/opt/hostedtoolcache/node/18.*/x64/bin/node --version")).stdout).toMatch(/^v18\./);
    expect((await check("/opt/hostedtoolcache/node/24.*/x64/bin/npm --version")).stdout).toMatch(/^11\.\d+\.\d+$/);
    expect((await check("ls /opt/hostedtoolcache/node/*/x64.complete | wc -l")).stdout).toBe("4");
    expect((await check("ls -d /opt/hostedtoolcache/node/{18,20,22,24}.*/x64.complete | wc -l")).stdout).toBe("4");
    expect((await check("stat -c %U /opt/hostedtoolcache/node/24.*/x64/bin/node")).stdout).toBe("runner");
    expect((await check('echo "$RUNNER_TOOL_CACHE $AGENT_TOOLSDIRECTORY $LANG"')).stdout).toBe("/opt/hostedtoolcache /opt/hostedtoolcache C.UTF-8");
  });

  it("trusts the host's extra CA certificates: HTTPS through the proxy works from curl and Node", async () => {
    await check("curl -sSf https://registry.npmjs.org/ -o /dev/null");
    await check("node -e 'fetch(\"https://registry.npmjs.org/\").then((r) => process.exit(r.ok ? 0 : 1))'");
  });

  it("has the tools workflows expect", async () => {
    await check("zstd --version");
    await check("git --version");
    expect((await check("echo '{\"a\": 1}' | jq .a")).stdout).toBe("1");
    expect((await check("python3 -c 'print(6 * 7)'")).stdout).toBe("42");
    await check("tar --version && gzip --version && xz --version && unzip -v && file --version && ps -p 1");
  });

  it("is not rebuilt when nothing changed", async () => {
    const lines: string[] = [];
    const started = Date.now();
    const again = await ensureImage(docker, { name: "runner", onProgress: (line) => lines.push(line) });
    const tookMs = Date.now() - started;
    console.log(`second ensureImage(runner) in ${tookMs} ms`);
    expect(again).toBe(tag);
    expect(lines).toEqual([]);
    expect(tookMs).toBeLessThan(2000);
  });

  it("gets another tag when the extra CA certificates change, and the same one for no file or an empty one", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "replay-ca-"));
    try {
      writeFileSync(path.join(dir, "empty.pem"), "");
      writeFileSync(path.join(dir, "other.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
      const none = await planImage(docker, { name: "runner", caCertsFile: false });
      const empty = await planImage(docker, { name: "runner", caCertsFile: path.join(dir, "empty.pem") });
      const other = await planImage(docker, { name: "runner", caCertsFile: path.join(dir, "other.pem") });
      expect(empty.tag).toBe(none.tag);
      expect(other.tag).not.toBe(none.tag);
      expect((await planImage(docker, { name: "runner" })).tag).toBe(tag);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a failing image build", () => {
  const imagesDir = mkdtempSync(path.join(os.tmpdir(), "replay-images-"));
  afterAll(() => rmSync(imagesDir, { recursive: true, force: true }));

  it("is a ReplayError carrying the end of the build log", async () => {
    const { docker } = await connectDocker();
    mkdirSync(path.join(imagesDir, "runner"));
    writeFileSync(path.join(imagesDir, "toolchains.yml"), "toolchains: []\n");
    writeFileSync(
      path.join(imagesDir, "runner", "Dockerfile"),
      `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nRUN echo "replay-test ${randomUUID()}: about to fail" && exit 3\n`,
    );
    const error = await ensureImage(docker, { name: "runner", imagesDir, caCertsFile: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayError);
    const failure = error as ReplayError;
    expect(failure.code).toBe("image-unavailable");
    expect(failure.exitCode).toBe(2);
    expect(failure.message).toMatch(/about to fail/);
    expect(failure.message).toMatch(/returned a non-zero code: 3/);
  });

  it("names the missing base image and how to make it", async () => {
    const { docker } = await connectDocker();
    const error = await ensureImage(docker, { name: "runner", baseImage: `replay-missing-${randomUUID()}:none` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayError);
    expect((error as ReplayError).message).toMatch(/base image replay-missing-.* is not there/);
    expect((error as ReplayError).hint).toMatch(/ensure-docker\.sh/);
  });
});
