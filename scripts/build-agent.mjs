// Builds the native step agent (runners/step-agent/agent.c) into dist/step-agent/replay-agent:
// a static Linux executable, so that it runs in any job container of this machine's
// architecture, whatever the image has (see agent.c for why it exists). It needs a C compiler
// and the C library's static archive (Debian: gcc and libc6-dev, part of build-essential).
// Without them the build goes on without it, and job containers run the agent's script
// under the image's node instead (slower to start); on CI (CI=true) that is an error, since
// the tests would then not run the agent users get.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const source = path.join(root, "runners/step-agent/agent.c");
const out = path.join(root, "dist/step-agent/replay-agent");
const cc = process.env.CC || "cc";

rmSync(out, { force: true });
mkdirSync(path.dirname(out), { recursive: true });
try {
  if (process.platform !== "linux") throw new Error(`it runs in Linux containers and is built on Linux only (this is ${process.platform})`);
  execFileSync(cc, ["-O2", "-Wall", "-Wextra", "-static", "-s", "-o", out, source], { stdio: ["ignore", "inherit", "pipe"] });
} catch (e) {
  const why = e instanceof Error ? (e.stderr?.toString().trim() || e.message) : String(e);
  const message = `no native step agent (${cc}: ${why}); job containers will run the agent's script under the image's node`;
  if (process.env.CI === "true") {
    console.error(`build-agent: ${message}, and CI needs the native one`);
    process.exit(1);
  }
  console.warn(`build-agent: ${message}`);
}
