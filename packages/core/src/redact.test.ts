import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UpstreamError } from "./errors.js";
import { redact, redactError, registerSecret } from "./redact.js";

// A token that looks like none: no `hf_` prefix for the patterns to catch.
const secret = "Zq7Wm2Lx9Pv4Rt6Yb1Nc8Kd3Hs5Gf0JaE";
registerSecret(secret);

const hasPart = (text: string) => {
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) return true;
  return false;
};

describe("redact", () => {
  it("removes any part of 8 characters or more of a registered secret, wherever it sits", () => {
    expect(redact(`token ${secret} rejected`)).toBe("token [REDACTED] rejected");
    expect(redact(`suffix …${secret.slice(-8)}`)).toBe("suffix …[REDACTED]");
    expect(redact(`middle ${secret.slice(10, 19)}!`)).toBe("middle [REDACTED]!");
    expect(redact(`x-echo: ${secret.slice(3)}; ${secret.slice(0, 12)}`)).toBe(
      "x-echo: [REDACTED]; [REDACTED]",
    );
    // 7 characters are not a part: too many ordinary strings would go.
    expect(redact(`short ${secret.slice(5, 12)}.`)).toBe(`short ${secret.slice(5, 12)}.`);
    expect(redact("nothing to hide here at all")).toBe("nothing to hide here at all");
  });

  it("finds every part at any offset, next to any text (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 0, max: secret.length - 8 }),
        fc.integer({ min: 8, max: secret.length }),
        fc.string({ maxLength: 40 }),
        (before, start, length, after) => {
          const part = secret.slice(start, Math.min(secret.length, start + length));
          fc.pre(part.length >= 8);
          expect(hasPart(redact(before + part + after))).toBe(false);
        },
      ),
    );
  });

  it("removes the secret URL-encoded and in base64 (Basic auth, standard and URL alphabets)", () => {
    registerSecret("p@ss/word+with=odd&chars!");
    expect(redact(`?key=${encodeURIComponent("p@ss/word+with=odd&chars!")}`)).toBe("?key=[REDACTED]");
    for (const prefix of ["", "u:", "us:"]) {
      const basic = btoa(`${prefix}${secret}`);
      const out = redact(`authorization: Basic ${basic}`);
      expect(out).toContain("[REDACTED]");
      expect(out.length).toBeLessThan(`authorization: Basic ${basic}`.length - 20);
      const url = basic.replace(/\+/g, "-").replace(/\//g, "_");
      expect(redact(url)).toContain("[REDACTED]");
    }
  });

  it("keeps the token patterns it always had", () => {
    expect(redact("token=hf_AbCdEfGhIjKlMnOp")).toBe("token=[REDACTED]");
    expect(redact("authorization: Bearer abc.def-ghi_jkl")).toBe("authorization: Bearer [REDACTED]");
  });
});

describe("redactError", () => {
  it("redacts message, stack, string fields and the cause chain in place", () => {
    const root = new Error(`upstream said ${secret.slice(4)}`);
    const middle = Object.assign(new Error("wrapped", { cause: root }), { body: `echo ${secret}` });
    const aggregate = new AggregateError([middle], `all failed: ${secret.slice(0, 9)}`);
    expect(redactError(aggregate)).toBe(aggregate);
    for (const text of [
      aggregate.message,
      aggregate.stack,
      middle.body,
      middle.stack,
      root.message,
      root.stack,
    ])
      expect(hasPart(String(text))).toBe(false);
  });

  it("leaves frozen errors and cycles alone without throwing", () => {
    const frozen = Object.freeze(new Error(secret));
    const a = new Error("a") as Error & { cause?: unknown };
    a.cause = a;
    expect(() => redactError(frozen)).not.toThrow();
    expect(() => redactError(a)).not.toThrow();
    expect(redactError("a string")).toBe("a string");
  });

  it("keeps a swarmgate error's inspect() output free of what its cause and fields carry", () => {
    const cause = Object.freeze(Object.assign(new Error("plain"), { header: `x-echo ${secret}` }));
    const error = Object.assign(new UpstreamError("HTTP 500", 500, { cause }), {
      response: { headers: { "x-echo": secret.slice(2) } },
    });
    const printed = inspect(error, { depth: 5 });
    expect(printed).toContain("UpstreamError");
    expect(printed).toContain("HTTP 500");
    expect(printed).toContain("x-echo");
    expect(hasPart(printed)).toBe(false);
    expect(hasPart(inspect({ nested: [error] }, { depth: 8, colors: true }))).toBe(false);
  });
});

describe("redact with many and long secrets", () => {
  it("finds parts of a secret longer than 4 KB, across its pieces", () => {
    let pem = "";
    for (let i = 0; pem.length < 9_000; i++) pem += `${(i * 7919).toString(36)}Q${i % 10}`;
    registerSecret(pem);
    for (const at of [0, 4_090, 4_100, 8_180, pem.length - 20])
      expect(redact(`key: ${pem.slice(at, at + 20)} end`)).toBe("key: [REDACTED] end");
    expect(redact(`key: ${pem.slice(4_000, 4_300)} end`)).toBe("key: [REDACTED] end");
  });
});

describe("redactError on an SDK's error", () => {
  it("redacts the parsed body and the answer's headers it carries", () => {
    const headers = new Response("", { headers: { "x-echo": `...${secret.slice(-12)}`, ok: "yes" } }).headers;
    const error = Object.assign(new Error("401 Unauthorized"), {
      error: { message: `bad key ${secret.slice(2, 14)}`, list: [`k=${secret}`] },
      headers,
      cause: `plain text cause ${secret.slice(0, 10)}`,
    });
    redactError(error);
    expect(error.error.message).toBe("bad key [REDACTED]");
    expect(error.error.list).toEqual(["k=[REDACTED]"]);
    expect(error.headers.get("x-echo")).toBe("...[REDACTED]");
    expect(error.headers.get("ok")).toBe("yes");
    expect(error.cause).toBe("plain text cause [REDACTED]");
    expect(hasPart(inspect(error, { depth: 8 }))).toBe(false);
  });
});
