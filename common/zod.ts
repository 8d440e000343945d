// Every schema replay checks files and answers against is made with zod's "mini" API,
// imported from here. zod's classic API (chained methods: `.optional()`) cost ~40 ms of
// every command's start here: loading its ~380 kB, which the bundle cannot trim, since each
// schema carries every method. The mini API's functions (`z.optional(…)`) are the same
// checks on the same core, and the bundle keeps only those replay uses (~40 kB).
//
// Set once, for every schema made after this module loads:
// - English messages: mini loads no locale of its own, and replay shows zod's messages
//   (for example "Invalid input: expected string, received number") inside its own.
// - no compiled parsers: zod compiles one per object schema on its first use (new
//   Function); for a command that checks a handful of files once, compiling costs more
//   than it saves (~10 ms for the workflow schema).
//
// Import it as a namespace (`import * as z from ".../common/zod.js"`): the bundle then keeps
// only the functions used.
import { config, locales } from "zod/mini";

config({ ...locales.en(), jitless: true });

export * from "zod/mini";
