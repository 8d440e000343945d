#!/usr/bin/env node
// The CLI's entry. Before the rest of replay loads (~300 ms of it), it asks the engine for
// the job container the last replay of this command here started first, so that the
// engine starts it meanwhile (common/prestart.ts); the run adopts it if it asks for the
// same. Nothing else is here: whatever this file imports loads before that request goes.
import { fileURLToPath } from "node:url";
import { prestart } from "../common/prestart.js";

prestart(process.argv.slice(2), process.cwd(), process.env);
const { runCli } = await import("./run-cli.js");
// This file, wherever the build put the rest: the pre-push hook runs it.
await runCli(fileURLToPath(import.meta.url));
