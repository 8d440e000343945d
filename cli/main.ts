#!/usr/bin/env node
import { buildProgram, reportError } from "./program.js";

const json = process.argv.includes("--json");
let code: number | undefined;
const program = buildProgram((c) => {
  code = c;
});
try {
  await program.parseAsync(process.argv);
  process.exitCode = code ?? 0;
} catch (e) {
  process.exitCode = reportError(e, json);
}
