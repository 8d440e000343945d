import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { stepLog, tempRepo } from "./support/temp-repo.js";

// What a plain `runs-on: ubuntu-latest` job finds in replay's runner image, through the
// CLI: the commands JavaScript, Python, Rust and Go workflows call that GitHub's
// ubuntu-24.04 image has, as the runner user and under sudo (sudo's secure_path), Node 22
// as the default node, and ImageOS/ImageVersion as GitHub's runner machines set them.

const COMMANDS = [
  "gcc", "g++", "cc", "make", "cmake", "ninja", "clang", "pkg-config",
  "python3", "python", "pip", "pip3", "pipx",
  "node", "npm", "npx", "yarn", "corepack",
  "git", "git-lfs", "jq", "yq", "zstd", "zip", "unzip", "bzip2", "xz", "gzip", "tar",
  "curl", "wget", "rsync", "ssh", "scp", "sqlite3", "psql", "mysql",
  "docker", "docker-compose", "shellcheck", "yamllint", "gh", "lsb_release", "sudo",
];

const CHECK = `missing=
for c in ${COMMANDS.join(" ")}; do
  command -v "$c" >/dev/null || missing="$missing $c(runner)"
  sudo sh -c "command -v '$c'" >/dev/null || missing="$missing $c(sudo)"
done
echo "missing:$missing."
`;

const WORKFLOW = `on: push
jobs:
  tools:
    runs-on: ubuntu-latest
    steps:
      - name: Every command, as runner and under sudo
        run: |
${CHECK.split("\n").map((l) => `          ${l}`).join("\n")}
      - name: Versions
        run: |
          echo "image: ImageOS=$ImageOS ImageVersion=$ImageVersion"
          echo "node: $(node --version) sudo: $(sudo node --version) npm $(sudo npm --version)"
          echo "yarn: $(yarn --version)"
          docker compose version
          docker buildx version
          git lfs version
          python3 -m venv "$RUNNER_TEMP/venv" && "$RUNNER_TEMP/venv/bin/pip" --version
          pipx --version
          lsb_release -is
          ls "$RUNNER_TOOL_CACHE/node"
      - name: Debian's yq says what it is
        run: |
          echo 'a: 1' | yq .a
`;

const repo = tempRepo("replay-runner-image-", { ".github/workflows/ci.yml": WORKFLOW });
afterAll(() => repo.dispose());

describe("the runner image a plain ubuntu-latest job gets", () => {
  it("has every listed command for the runner and under sudo, Node 22 by default, and ImageOS/ImageVersion", async () => {
    const run = await runCli(["job", "tools", "--json"], repo.dir);
    const log = stepLog(run.events);
    const completed = run.events.find((e) => e["type"] === "job.completed");
    expect(completed?.["result"], log.slice(-3000) + run.stderr.slice(-2000)).toBe("success");
    expect(String(run.events.find((e) => e["type"] === "job.started")?.["image"])).toContain("replay-runner:");
    expect(log).toContain("missing:.");
    expect(log).toContain("image: ImageOS=ubuntu24 ImageVersion=20260816.277.1");
    expect(log).toMatch(/node: v22\.\d+\.\d+ sudo: v22\.\d+\.\d+ npm 10\.\d+\.\d+/);
    expect(log).toContain("yarn: 1.22.22");
    expect(log).toMatch(/Docker Compose version v?2\./);
    expect(log).toMatch(/github\.com\/docker\/buildx v?0\./);
    expect(log).toMatch(/git-lfs\/3\./);
    expect(log).toMatch(/pip \d+\.\d+.* from .*venv/);
    expect(log).toContain("Debian");
    for (const major of ["18.", "20.", "22.", "24."]) expect(log).toMatch(new RegExp(`^${major.replace(".", "\\.")}\\d+\\.\\d+$`, "m"));
    expect(log).toContain("replay: this yq is Debian's (kislyuk's jq wrapper)");
  });
});
