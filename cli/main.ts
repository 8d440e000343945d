#!/usr/bin/env node
import module from "node:module";
import { fileURLToPath } from "node:url";
import { takeDeferredCa } from "../common/extra-ca.js";
import { buildProgram, reportError } from "./program.js";

// Node 22.1 and later can keep the compiled code of the chunks a command loads (in the
// temp folder): compiling them is most of loading a command. Node 20 has no such cache;
// there this does nothing.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// The launcher (bin/replay) kept NODE_EXTRA_CA_CERTS aside: what replay starts gets it back.
takeDeferredCa();

const json = process.argv.includes("--json");
let code: number | undefined;
// This file, wherever the build put the rest: the pre-push hook runs it.
const program = buildProgram((c) => {
  code = c;
}, fileURLToPath(import.meta.url));
try {
  await program.parseAsync(process.argv);
  process.exitCode = code ?? 0;
} catch (e) {
  process.exitCode = reportError(e, json);
}
