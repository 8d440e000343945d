// Bundles the CLI (after tsc has type-checked and emitted dist/): dist/cli/main.js and
// the chunks it imports, in dist/cli/chunks/. Loading ~480 modules one by one (our ~180,
// zod's 95, dockerode's gRPC, protobuf and SSH clients) was most of replay's start-up;
// bundled, each command loads a few files, and only the code it reaches.
//
// - Each command's code is a dynamic import in cli/program.ts, so it is a chunk of its own.
// - ink and react stay packages: only the interactive screen (cli/tui/) loads them; so
//   does undici, which only a TLS connection with a deferred CA bundle loads (extra-ca.ts).
// - Native addons (*.node: ssh2's optional crypto, cpu-features) cannot be bundled; their
//   packages load them in a try/catch and fall back to JavaScript without them.
// - dockerode requires its BuildKit code (a gRPC client, protobuf) and docker-modem its
//   SSH client when they load, for BuildKit builds and ssh:// engines. lazyRequires turns
//   those requires into ones made on first use, from the installed packages' own folders
//   (so they find their dependencies and the .proto files beside them): the gRPC,
//   protobuf and SSH code is neither bundled nor loaded by a replay that does not use it
//   (~70 ms of every start). If a new version changes those lines, the build stops.
// - ssh2 (with tweetnacl, bcrypt-pbkdf and asn1, ~720 kB bundled) is only for ssh://
//   engines, yet runners/docker/ssh-engine.ts imports it with the rest of the engine code
//   that every replay loads: lazySsh2 gives that import a stand-in that requires the
//   installed package on first use (~35 ms of compiling off every start).
// - zod: replay's schemas use its mini API (common/zod.ts), `replay mcp` and the MCP SDK
//   its classic one, on the same core files. esbuild puts a file reached from several
//   commands into a shared chunk with everything any of them uses, so every command
//   compiled classic's share of the core (~240 kB). mcpOwnZod gives `replay mcp` a copy of
//   zod of its own: the shared chunk keeps what mini needs (~65 kB).
// - Bundled CommonJS code gets `require`, `__filename` and `__dirname` from the banner:
//   the chunk's own (commander's executableDir is the only other reader, unused here).
// - Code that finds files from import.meta.url keeps working from dist/cli/chunks/:
//   findPackageRoot walks up to package.json, hashFiles resolves @actions/glob through
//   node_modules, and the hook is given dist/cli/main.js by main.ts itself.
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outdir = path.join(root, "dist/cli");

// `require` resolving as dockerode's own code and as docker-modem's (found from dockerode).
const FROM_DOCKERODE = "require('node:module').createRequire(require.resolve('dockerode'))";
const FROM_MODEM = `require('node:module').createRequire(${FROM_DOCKERODE}.resolve('docker-modem'))`;

/** By file in node_modules: each require as the package has it, and what the bundle does instead. */
const LAZY = {
  "dockerode/lib/docker.js": [
    ["withSession = require('./session'),", `withSession = function () { return ${FROM_DOCKERODE}('./session').apply(this, arguments); },`],
    ["var buildkit = require('./buildkit');", `var buildkit = ${FROM_DOCKERODE}('./buildkit');`],
  ],
  "docker-modem/lib/modem.js": [["ssh = require('./ssh'),", `ssh = function () { return ${FROM_MODEM}('./ssh').apply(this, arguments); },`]],
};
const patched = new Set();

/**
 * zod's `locales` namespace (z.locales) re-exports error messages in 40-odd languages,
 * 360 kB of the bundle that every start compiled; replay's messages are its own and zod's
 * default is English, so the namespace keeps `en` only.
 */
/** @type {import("esbuild").Plugin} */
const englishOnlyZod = {
  name: "english-only-zod",
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: "js",
      // Also in `replay mcp`'s copy of zod (mcpOwnZod), which is not in esbuild's file namespace.
      resolveDir: path.dirname(args.path),
    }));
  },
};

/**
 * What runners/docker/ssh-engine.ts imports from ssh2, each loading the package on first
 * use. An import of any other name fails the build ("No matching export"): add it here.
 */
const SSH2_STAND_IN = [
  "let ssh2;",
  'const load = () => (ssh2 ??= require("ssh2"));',
  // A constructor that returns an object makes `new Client()` that object.
  "export class Client { constructor(...args) { return new (load().Client)(...args); } }",
  "export const utils = new Proxy({}, { get: (_target, key) => load().utils[key] });",
].join("\n");

/** @type {import("esbuild").Plugin} */
const lazySsh2 = {
  name: "lazy-ssh2",
  setup(b) {
    // Our code's `ssh2` is the stand-in; the stand-in's own (and docker-modem's, already
    // lazy) is the installed package, not bundled.
    b.onResolve({ filter: /^ssh2$/ }, (args) => {
      if (args.namespace === "lazy-ssh2") return { path: "ssh2", external: true };
      if (/[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
      return { path: "ssh2", namespace: "lazy-ssh2" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-ssh2" }, () => ({ contents: SSH2_STAND_IN, loader: "js", resolveDir: root }));
  },
};

const MCP_ZOD = "mcp-zod";

/** @type {import("esbuild").Plugin} */
const mcpOwnZod = {
  name: "mcp-own-zod",
  setup(b) {
    const fromMcp = (importer) => /[\\/]cli[\\/]commands[\\/]mcp-command\.ts$|[\\/]node_modules[\\/]@modelcontextprotocol[\\/]/.test(importer);
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === MCP_ZOD) return undefined;
      const inCopy = args.namespace === MCP_ZOD;
      if (!inCopy && !(/^zod(\/|$)/.test(args.path) && fromMcp(args.importer))) return undefined;
      // Resolved as esbuild would; inside the copy, every file zod reaches joins the copy.
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: MCP_ZOD });
      if (r.errors.length || r.external) return r.errors.length ? { errors: r.errors } : { path: r.path, external: true };
      return { path: r.path, namespace: MCP_ZOD };
    });
    b.onLoad({ filter: /.*/, namespace: MCP_ZOD }, async (args) => ({ contents: await readFile(args.path, "utf8"), loader: "js", resolveDir: path.dirname(args.path) }));
  },
};

/** @type {import("esbuild").Plugin} */
const lazyRequires = {
  name: "lazy-requires",
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/](dockerode[\\/]lib[\\/]docker|docker-modem[\\/]lib[\\/]modem)\.js$/ }, async (args) => {
      const file = args.path.split(/[\\/]node_modules[\\/]/).pop().replaceAll("\\", "/");
      let text = await readFile(args.path, "utf8");
      for (const [eager, lazy] of LAZY[file]) {
        if (!text.includes(eager)) throw new Error(`${file} no longer has \`${eager}\`: update LAZY in scripts/bundle-cli.mjs`);
        text = text.replace(eager, lazy);
      }
      patched.add(file);
      return { contents: text, loader: "js" };
    });
  },
};

// `--metafile <file>`: what each chunk holds, by source file, for esbuild's analyser
// (https://esbuild.github.io/analyze/) or bench/chunks.mjs.
const metaAt = process.argv.indexOf("--metafile");
const metafile = metaAt > 0 ? process.argv[metaAt + 1] : undefined;

await rm(path.join(outdir, "chunks"), { recursive: true, force: true });
const result = await build({
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
  external: ["ink", "react", "react/*", "undici", "*.node"],
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
  plugins: [lazyRequires, englishOnlyZod, lazySsh2, mcpOwnZod],
  logLevel: "warning",
  metafile: metafile !== undefined,
});
if (metafile) await writeFile(metafile, JSON.stringify(result.metafile));
const missed = Object.keys(LAZY).filter((file) => !patched.has(file));
if (missed.length) throw new Error(`the bundle has no ${missed.join(", ")} to make lazy: update LAZY in scripts/bundle-cli.mjs`);
