// Bundles the CLI (after tsc has type-checked and emitted dist/): dist/cli/main.js and
// the chunks it imports, in dist/cli/chunks/. Loading ~480 modules one by one (our ~180,
// zod's 95, dockerode's gRPC, protobuf and SSH clients) was most of replay's start-up;
// bundled, each command loads a few files, and only the code it reaches.
//
// - Each command's code is a dynamic import in cli/program.ts, so it is a chunk of its own.
// - ink and react stay packages: only the interactive screen (cli/tui/) loads them.
// - Native addons (*.node: ssh2's optional crypto, cpu-features) cannot be bundled; their
//   packages load them in a try/catch and fall back to JavaScript without them.
// - Bundled CommonJS code gets `require`, `__filename` and `__dirname` from the banner:
//   the chunk's own. The dependency code that reads files beside itself through __dirname
//   (dockerode's BuildKit session and status protos, gRPC's channelz and ORCA) serves
//   BuildKit builds and gRPC admin services, which replay does not use.
// - dockerode requires its BuildKit session code (the gRPC client and protobuf) and
//   docker-modem its SSH client when they load, for BuildKit builds and ssh:// engines;
//   lazyRequires makes those two requires happen on first use instead (~40 ms of every
//   replay's start). If a new version changes those lines, the build stops and says so.
// - Code that finds files from import.meta.url keeps working from dist/cli/chunks/:
//   findPackageRoot walks up to package.json, hashFiles resolves @actions/glob through
//   node_modules, and the hook is given dist/cli/main.js by main.ts itself.
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outdir = path.join(root, "dist/cli");

/** By file in node_modules: the require as the package has it, and the same require on first call. */
const LAZY = {
  "dockerode/lib/docker.js": ["withSession = require('./session'),", "withSession = function () { return require('./session').apply(this, arguments); },"],
  "docker-modem/lib/modem.js": ["ssh = require('./ssh'),", "ssh = function () { return require('./ssh').apply(this, arguments); },"],
};
const patched = new Set();

/** @type {import("esbuild").Plugin} */
const lazyRequires = {
  name: "lazy-requires",
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/](dockerode[\\/]lib[\\/]docker|docker-modem[\\/]lib[\\/]modem)\.js$/ }, async (args) => {
      const file = args.path.split(/[\\/]node_modules[\\/]/).pop().replaceAll("\\", "/");
      const [eager, lazy] = LAZY[file];
      const text = await readFile(args.path, "utf8");
      if (!text.includes(eager)) throw new Error(`${file} no longer has \`${eager}\`: update LAZY in scripts/bundle-cli.mjs`);
      patched.add(file);
      return { contents: text.replace(eager, lazy), loader: "js" };
    });
  },
};

await rm(path.join(outdir, "chunks"), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: "cli/main.ts" },
  outdir,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  sourcesContent: false,
  external: ["ink", "react", "react/*", "*.node"],
  banner: {
    js: [
      'import { createRequire as __replayCreateRequire } from "node:module";',
      'import { dirname as __replayDirname } from "node:path";',
      'import { fileURLToPath as __replayFileURLToPath } from "node:url";',
      "const require = __replayCreateRequire(import.meta.url);",
      "const __filename = __replayFileURLToPath(import.meta.url);",
      "const __dirname = __replayDirname(__filename);",
    ].join(" "),
  },
  plugins: [lazyRequires],
  logLevel: "warning",
});
const missed = Object.keys(LAZY).filter((file) => !patched.has(file));
if (missed.length) throw new Error(`the bundle has no ${missed.join(", ")} to make lazy: update LAZY in scripts/bundle-cli.mjs`);
