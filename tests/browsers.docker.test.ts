import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";

// Playwright in the browsers image: the job installs playwright-core from npm (the only
// registry reachable), serves a page itself, and screenshots it with Debian's Chromium
// headless, found through the `chrome` channel the image links.

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
let dir = "";
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const SHOT = `import http from "node:http";
import { chromium } from "playwright-core";
const server = http.createServer((_req, res) => {
  res.setHeader("content-type", "text/html");
  res.end("<body style='background:#fff'><h1 style='color:#c00;font-size:64px'>replayed</h1></body>");
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const browser = await chromium.launch({ channel: "chrome", headless: true });
const page = await browser.newPage({ viewport: { width: 640, height: 360 } });
await page.goto(\`http://127.0.0.1:\${server.address().port}/\`);
console.log("heading:", await page.textContent("h1"), "browser:", browser.version());
await page.screenshot({ path: "shot.png" });
await browser.close();
server.close();
`;

// The PNG's signature and size, and how many distinct pixel bytes its first IDAT holds:
// a blank page compresses to a few; red text on white does not.
const CHECK = `import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
const png = readFileSync("shot.png");
if (png.subarray(0, 8).toString("hex") !== "89504e470d0a1a0a") throw new Error("not a PNG");
let idat = [];
for (let i = 8; i < png.length; ) {
  const len = png.readUInt32BE(i);
  const type = png.subarray(i + 4, i + 8).toString("latin1");
  if (type === "IDAT") idat.push(png.subarray(i + 8, i + 8 + len));
  i += 12 + len;
}
const colours = new Set(inflateSync(Buffer.concat(idat))).size;
console.log(\`png: signature ok, \${png.length} bytes, \${colours} colours\`);
`;

const WORKFLOW = `on: push
jobs:
  e2e:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Install Playwright
        run: npm install --no-audit --no-fund playwright-core@1.65.1
      - name: Screenshot
        run: node shot.mjs && file shot.png
      - name: Check the PNG
        run: node check.mjs
`;

describe("the browsers image", () => {
  it("runs Playwright headless against a page served in the job and takes a screenshot", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "replay-browsers-"));
    mkdirSync(path.join(dir, ".github/workflows"), { recursive: true });
    writeFileSync(path.join(dir, ".github/workflows/e2e.yml"), WORKFLOW);
    writeFileSync(path.join(dir, "shot.mjs"), SHOT);
    writeFileSync(path.join(dir, "check.mjs"), CHECK);
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "e2e", private: true, type: "module" }));
    for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]]) execFileSync("git", args, { cwd: dir, env: { ...process.env, ...GIT_ENV } });

    const run = await runCli(["job", "e2e", "--json"], dir);
    const completed = run.events.find((e) => e["type"] === "job.completed");
    expect(completed?.["result"], run.stdout.slice(-4000) + run.stderr.slice(-2000)).toBe("success");
    const log = run.events.filter((e) => e["type"] === "step.output").map((e) => String(e["line"])).join("\n");
    expect(log).toContain("heading: replayed browser: 150.");
    expect(log).toMatch(/shot\.png: PNG image data, 640 x 360/);

    // The screenshot itself, checked where it was taken: a PNG, and not an empty page.
    const size = /png: signature ok, (\d+) bytes, (\d+) colours/.exec(log);
    expect(size, log.slice(-2000)).not.toBeNull();
    expect(Number(size?.[1])).toBeGreaterThan(2000);
    expect(Number(size?.[2])).toBeGreaterThan(2);
  });
});
