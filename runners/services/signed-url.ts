import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The blob URLs the services hand out, signed as a storage SAS is: the clients send no
 * token to them, so the signature (an HMAC of the path and expiry with the run's secret)
 * is what lets only this run's jobs read and write them.
 */
export class UrlSigner {
  constructor(
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  private sig(pathname: string, expires: number): string {
    return createHmac("sha256", this.secret).update(`${pathname}\n${expires}`).digest("base64url");
  }

  sign(baseUrl: string, pathname: string, ttlMs = 6 * 60 * 60 * 1000): string {
    const expires = this.now() + ttlMs;
    const url = new URL(pathname, baseUrl);
    url.searchParams.set("se", String(expires));
    url.searchParams.set("sig", this.sig(url.pathname, expires));
    return url.href;
  }

  verify(url: URL): boolean {
    const expires = Number(url.searchParams.get("se"));
    const sig = url.searchParams.get("sig") ?? "";
    if (!Number.isFinite(expires) || expires < this.now()) return false;
    const want = Buffer.from(this.sig(url.pathname, expires));
    const got = Buffer.from(sig);
    return want.length === got.length && timingSafeEqual(want, got);
  }
}
