#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import { buildProgram, reportError } from "./program.js";

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
