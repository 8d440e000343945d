// Writes docs/events.schema.json, the JSON Schema of the public event stream, from its
// definition in runners/public-event-schema.ts (run after `npm run build`). A unit test
// fails while the file and the definition differ.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { eventsJsonSchema } = await import(path.join(root, "dist/runners/public-event-schema.js"));
await writeFile(path.join(root, "docs/events.schema.json"), `${JSON.stringify(eventsJsonSchema(), null, 2)}\n`);
