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
// - Code that finds files from import.meta.url keeps working from dist/cli/chunks/:
//   findPackageRoot walks up to package.json, hashFiles resolves @actions/glob through
//   node_modules, and the hook is given dist/cli/main.js by main.ts itself.
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outdir = path.join(root, "dist/cli");

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
  logLevel: "warning",
});
