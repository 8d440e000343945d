import { describe, expect, it } from "vitest";
import * as z from "./zod.js";

describe("zod as replay sets it up", () => {
  it("words its own messages in English (zod's mini API loads no locale of its own)", () => {
    const r = z.strictObject({ n: z.number(), s: z.optional(z.string()) }).safeParse({ n: "1", s: 2, extra: true });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).sort()).toEqual([
      "Invalid input: expected number, received string",
      "Invalid input: expected string, received number",
      'Unrecognized key: "extra"',
    ]);
  });

  it("keeps the messages a schema gives", () => {
    const r = z.union([z.string(), z.boolean()], { error: "must be a string" }).safeParse(1);
    expect(r.error?.issues[0]?.message).toBe("must be a string");
  });
});
