// A real project's install-and-test job: a Node project the bench generates (its own
// code and tests, not a copy of anyone's repository) with a few dozen real dependencies
// from the npm registry and mocha as its test runner. Its workflow job (checkout, the npm
// cache through actions/cache@v4, `npm ci`, `npm test`) replayed, spawn to exit, against
// the same commands typed into one container of the same image by hand (`docker run`, the
// project bind-mounted and copied in, an npm cache folder mounted at ~/.npm), spawn to exit.
// Both sides have a warm npm cache: replay's is actions/cache's entry in a cache store of
// the bench's own (REPLAY_CACHE_DIR), saved by a warm-up replay and restored on an exact
// key hit in each timed run; the hand-typed side's is a host folder filled by its warm-up.
// Both run `npm ci --prefer-offline`, so neither asks the registry what its cache holds.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LABEL, gitEnv, jobImage, makeRepo, median, onCleanup, replay, timeMs } from "./lib.mjs";
import { benchCacheDir } from "./tools.mjs";

// Majors that still load with require() (the tests are CommonJS, as many projects' are).
const DEPENDENCIES = {
  ajv: "^8.12.0", async: "^3.2.5", bluebird: "^3.7.2", chalk: "^4.1.2", commander: "^11.1.0", cookie: "^0.6.0",
  "date-fns": "^2.30.0", dayjs: "^1.11.10", debug: "^4.3.4", deepmerge: "^4.3.1", dotenv: "^16.3.1", "escape-html": "^1.0.3",
  express: "^4.18.2", "fast-deep-equal": "^3.1.3", immutable: "^4.3.4", joi: "^17.11.0", "js-yaml": "^4.1.0", lodash: "^4.17.21",
  luxon: "^3.4.4", marked: "^4.3.0", micromatch: "^4.0.5", "mime-types": "^2.1.35", minimist: "^1.2.8", ms: "^2.1.3",
  nanoid: "^3.3.7", qs: "^6.11.2", ramda: "^0.29.1", semver: "^7.5.4", uuid: "^9.0.1", validator: "^13.11.0", yargs: "^17.7.2", zod: "^3.22.4",
};
const DEV_DEPENDENCIES = { chai: "^4.3.10", mocha: "^10.2.0", supertest: "^6.3.3" };

const PACKAGE = {
  name: "bench-project",
  version: "1.0.0",
  private: true,
  scripts: { test: "mocha --reporter dot 'test/**/*.test.js'" },
  dependencies: DEPENDENCIES,
  devDependencies: DEV_DEPENDENCIES,
};

const SOURCE = `const _ = require("lodash");
const semver = require("semver");
const { z } = require("zod");
const express = require("express");
const yaml = require("js-yaml");
const { marked } = require("marked");

const Order = z.object({ id: z.string().uuid(), items: z.array(z.object({ sku: z.string(), qty: z.number().int().positive(), price: z.number().nonnegative() })).min(1) });

/** The order's total, in cents, or a zod error. */
exports.total = (order) => _.sumBy(Order.parse(order).items, (i) => Math.round(i.qty * i.price * 100));
exports.newest = (versions) => semver.rsort(versions.filter((v) => semver.valid(v)))[0];
exports.config = (text) => _.defaultsDeep(yaml.load(text) ?? {}, { port: 8080, features: { beta: false } });
exports.render = (md) => marked.parse(md);
exports.app = () => {
  const app = express();
  app.use(express.json());
  app.post("/total", (req, res) => {
    try {
      res.json({ total: exports.total(req.body) });
    } catch (e) {
      res.status(400).json({ error: e.issues?.[0]?.message ?? String(e) });
    }
  });
  return app;
};
`;

const TESTS = {
  "test/orders.test.js": `const { expect } = require("chai");
const { v4: uuid } = require("uuid");
const request = require("supertest");
const { total, app } = require("../src/index.js");
describe("orders", () => {
  it("sums the items in cents", () => expect(total({ id: uuid(), items: [{ sku: "a", qty: 3, price: 1.1 }, { sku: "b", qty: 1, price: 0.05 }] })).to.equal(335));
  it("refuses an empty order", () => expect(() => total({ id: uuid(), items: [] })).to.throw());
  it("refuses a bad id", () => expect(() => total({ id: "x", items: [{ sku: "a", qty: 1, price: 1 }] })).to.throw());
  it("answers over HTTP", async () => {
    const res = await request(app()).post("/total").send({ id: uuid(), items: [{ sku: "a", qty: 2, price: 2.5 }] });
    expect(res.status).to.equal(200);
    expect(res.body.total).to.equal(500);
  });
  it("answers 400 to a bad order", async () => expect((await request(app()).post("/total").send({ id: uuid(), items: [] })).status).to.equal(400));
});
`,
  "test/text.test.js": `const { expect } = require("chai");
const { config, render, newest } = require("../src/index.js");
const escape = require("escape-html");
const validator = require("validator");
const mm = require("micromatch");
const mime = require("mime-types");
describe("text", () => {
  it("reads YAML config with defaults", () => expect(config("port: 3000\\nfeatures:\\n  alpha: true\\n")).to.deep.equal({ port: 3000, features: { alpha: true, beta: false } }));
  it("renders Markdown", () => expect(render("# Hi")).to.contain("<h1"));
  it("picks the newest version", () => expect(newest(["1.2.0", "1.10.0", "junk", "1.9.9"])).to.equal("1.10.0"));
  it("escapes HTML", () => expect(escape("<a&b>")).to.equal("&lt;a&amp;b&gt;"));
  it("validates e-mail", () => expect(validator.isEmail("a@b.example")).to.equal(true));
  it("matches globs", () => expect(mm(["a.js", "b.ts", "c/d.js"], "**/*.js")).to.deep.equal(["a.js", "c/d.js"]));
  it("knows MIME types", () => expect(mime.lookup("x.json")).to.equal("application/json"));
});
`,
  "test/data.test.js": `const { expect } = require("chai");
const R = require("ramda");
const { Map: IMap } = require("immutable");
const deepmerge = require("deepmerge");
const equal = require("fast-deep-equal");
const qs = require("qs");
const cookie = require("cookie");
const Joi = require("joi");
const Ajv = require("ajv");
describe("data", () => {
  it("composes with ramda", () => expect(R.pipe(R.map(R.inc), R.sum)([1, 2, 3])).to.equal(9));
  it("keeps immutable maps", () => { const a = IMap({ x: 1 }); const b = a.set("x", 2); expect([a.get("x"), b.get("x")]).to.deep.equal([1, 2]); });
  it("merges deeply", () => expect(deepmerge({ a: { b: 1 } }, { a: { c: 2 } })).to.deep.equal({ a: { b: 1, c: 2 } }));
  it("compares deeply", () => expect(equal({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).to.equal(true));
  it("parses query strings", () => expect(qs.parse("a[b]=1&c=2")).to.deep.equal({ a: { b: "1" }, c: "2" }));
  it("parses cookies", () => expect(cookie.parse("a=1; b=two")).to.deep.equal({ a: "1", b: "two" }));
  it("validates with joi", () => expect(Joi.number().min(3).validate(2).error).to.exist);
  it("validates with ajv", () => expect(new Ajv().validate({ type: "object", required: ["a"] }, { a: 1 })).to.equal(true));
});
`,
  "test/time.test.js": `const { expect } = require("chai");
const dayjs = require("dayjs");
const { addDays, formatISO } = require("date-fns");
const { DateTime } = require("luxon");
const ms = require("ms");
const Bluebird = require("bluebird");
const async = require("async");
const { nanoid } = require("nanoid");
describe("time and flow", () => {
  it("adds days (dayjs)", () => expect(dayjs("2024-02-28").add(1, "day").format("YYYY-MM-DD")).to.equal("2024-02-29"));
  it("adds days (date-fns)", () => expect(formatISO(addDays(new Date(2024, 0, 31), 1), { representation: "date" })).to.equal("2024-02-01"));
  it("zones (luxon)", () => expect(DateTime.fromISO("2024-01-01T00:00:00Z").setZone("UTC").hour).to.equal(0));
  it("reads durations", () => expect(ms("2h")).to.equal(7200000));
  it("maps with bluebird", async () => expect(await Bluebird.map([1, 2, 3], async (x) => x * 2, { concurrency: 2 })).to.deep.equal([2, 4, 6]));
  it("maps with async", async () => expect(await async.mapLimit([1, 2, 3], 2, async (x) => x + 1)).to.deep.equal([2, 3, 4]));
  it("makes ids", () => expect(nanoid()).to.have.length(21));
});
`,
  "test/cli.test.js": `const { expect } = require("chai");
const { Command } = require("commander");
const yargs = require("yargs/yargs");
const minimist = require("minimist");
const chalk = require("chalk");
const debug = require("debug");
const dotenv = require("dotenv");
describe("command line", () => {
  it("parses with commander", () => { const p = new Command().option("-n, --num <n>").exitOverride(); p.parse(["node", "x", "-n", "3"]); expect(p.opts().num).to.equal("3"); });
  it("parses with yargs", () => expect(yargs(["--a", "1"]).parseSync().a).to.equal(1));
  it("parses with minimist", () => expect(minimist(["-x", "3", "y"])).to.deep.include({ x: 3, _: ["y"] }));
  it("colours with chalk", () => expect(new chalk.Instance({ level: 1 }).red("x")).to.equal("\\u001b[31mx\\u001b[39m"));
  it("names debug namespaces", () => expect(debug("bench").namespace).to.equal("bench"));
  it("reads dotenv", () => expect(dotenv.parse("A=1\\nB=two")).to.deep.equal({ A: "1", B: "two" }));
});
`,
};

const WORKFLOW = `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v4
        with:
          path: ~/.npm
          key: npm-\${{ hashFiles('package-lock.json') }}
      - run: npm ci --prefer-offline --no-audit --no-fund
      - run: npm test
`;
const BY_HAND = "mkdir proj && cp -a /src/. proj/ && cd proj && npm ci --prefer-offline --no-audit --no-fund && npm test";

/** The project's package-lock.json: resolved once from the npm registry, kept in the bench cache for these dependencies. */
function lockFile() {
  const text = JSON.stringify(PACKAGE, null, 2);
  const dir = path.join(benchCacheDir(), `project-lock-${hash(text)}`);
  const lock = path.join(dir, "package-lock.json");
  if (!existsSync(lock)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "package.json"), text);
    execFileSync("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  }
  return readFileSync(lock, "utf8");
}
const hash = (text) => execFileSync("sha256sum", { input: text, encoding: "utf8" }).slice(0, 16);

/** The row for the table: replay's install-and-test job against the same commands by hand. */
export async function projectFigure({ runs }) {
  mkdirSync(benchCacheDir(), { recursive: true });
  const store = mkdtempSync(path.join(benchCacheDir(), "project-caches-"));
  const npmCache = mkdtempSync(path.join(benchCacheDir(), "project-npm-"));
  chownSync(npmCache, 1001, 1001); // the image's runner user, as whom both sides run npm
  const removeDirs = onCleanup(() => [store, npmCache].forEach((d) => rmSync(d, { recursive: true, force: true })));
  const env = { ...gitEnv, REPLAY_CACHE_DIR: store };
  const { dir, remove } = makeRepo({
    "package.json": `${JSON.stringify(PACKAGE, null, 2)}\n`,
    "package-lock.json": lockFile(),
    "src/index.js": SOURCE,
    ...TESTS,
    ".gitignore": "node_modules\n",
    ".github/workflows/test.yml": WORKFLOW,
  }, "replay-bench-project-");
  chmodSync(dir, 0o755); // mkdtemp's folder is its owner's only: the container's runner reads it
  const testsRun = Object.values(TESTS).reduce((n, t) => n + t.split("\n  it(").length - 1, 0);
  const byHand = (image) =>
    timeMs("docker", ["run", "--rm", "--label", LABEL, "--user", "runner", "-e", "HOME=/home/runner", "-e", "CI=true", "-w", "/home/runner/work", "-v", `${dir}:/src:ro`, "-v", `${npmCache}:/home/runner/.npm`, image, "bash", "-e", "-c", BY_HAND]);
  try {
    // Warm-ups: replay's saves its cache entry, the hand-typed run fills its npm cache.
    const image = jobImage((await replay(dir, ["job", "test"], { env })).events);
    byHand(image);
    const ours = [];
    const theirs = [];
    const restores = [];
    const inSteps = [];
    for (let i = 0; i < runs; i++) {
      const r = await replay(dir, ["job", "test"], { env });
      const hit = r.events.find((e) => e.cache?.action === "restore");
      if (hit?.cache.result !== "hit") throw new Error(`the npm cache's restore was a ${hit?.cache.result ?? "no-show"}, not a hit`);
      const passing = r.events.filter((e) => e.type === "step.output").find((e) => /(\d+) passing/.test(e.line));
      if (Number(/(\d+) passing/.exec(passing?.line ?? "")?.[1]) !== testsRun) throw new Error(`npm test did not report ${testsRun} passing: ${passing?.line ?? "no summary"}`);
      ours.push(r.wallMs);
      restores.push(r.events.find((e) => e.type === "step.completed" && e.step === hit.cache.step)?.durationMs ?? NaN);
      const steps = r.events.filter((e) => e.type === "step.completed");
      inSteps.push(steps.reduce((sum, e) => sum + e.durationMs, 0));
      theirs.push(byHand(image));
    }
    const packages = Object.keys(JSON.parse(lockFile()).packages).filter((p) => p.startsWith("node_modules/")).length;
    return {
      figure: `real project's install-and-test job (generated Node project: ${Object.keys(DEPENDENCIES).length + Object.keys(DEV_DEPENDENCIES).length} npm dependencies, ${packages} packages installed, ${testsRun} mocha tests; checkout, actions/cache@v4 of ~/.npm, \`npm ci --prefer-offline\`, \`npm test\`; median ${(median(inSteps) / 1000).toFixed(2)} s in the steps, of which the cache restore ${median(restores).toFixed(0)} ms)`,
      value: median(ours),
      unit: "ms",
      reference: "the same commands by hand in one `docker run` of the same image, the same npm cache warm in a mounted folder",
      refValue: median(theirs),
      ratio: median(ours) / median(theirs),
      goal: { op: "<=", limit: 1.05, text: "≤ 1.05×" },
      runs,
      section: "project",
    };
  } finally {
    remove();
    removeDirs();
  }
}
