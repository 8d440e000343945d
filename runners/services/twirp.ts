/** Twirp's error codes, as the results service answers them. */
export type TwirpCode =
  | "invalid_argument"
  | "malformed"
  | "not_found"
  | "bad_route"
  | "already_exists"
  | "failed_precondition"
  | "unauthenticated"
  | "permission_denied"
  | "internal";

const STATUS: Record<TwirpCode, number> = {
  invalid_argument: 400,
  malformed: 400,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  unauthenticated: 401,
  permission_denied: 403,
  internal: 500,
};

/** A Twirp error: the client reports `Failed request: (<status>) <reason>: <msg>`. */
export class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }

  body(): { code: TwirpCode; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

export type JsonObject = Record<string, unknown>;

/** A request field by its proto name or its JSON (lowerCamelCase) name, as protobuf JSON allows both. */
export function field(req: JsonObject, protoName: string): unknown {
  if (protoName in req) return req[protoName];
  const camel = protoName.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  return req[camel];
}

export function stringField(req: JsonObject, protoName: string, required = true): string {
  const v = field(req, protoName);
  if (v === undefined || v === null || v === "") {
    if (required) throw new TwirpError("invalid_argument", `${protoName} is required`);
    return "";
  }
  // Wrapper types (google.protobuf.StringValue) are plain values in JSON; some encoders nest them.
  if (typeof v === "object" && "value" in (v as JsonObject)) return String((v as JsonObject)["value"]);
  return String(v);
}

export function stringListField(req: JsonObject, protoName: string): string[] {
  const v = field(req, protoName);
  return Array.isArray(v) ? v.map(String) : [];
}
