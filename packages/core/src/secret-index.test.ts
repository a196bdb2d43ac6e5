import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_SECRET_MATCH, SecretIndex } from "./secret-index.js";

// Every [start, end) of `text` covered by a common substring of 8 or more with a secret.
function naive(text: string, secrets: readonly string[]): number[] | undefined {
  const covered = new Array<boolean>(text.length).fill(false);
  for (const secret of secrets)
    for (let i = 0; i < text.length; i++)
      for (let j = 0; j < secret.length; j++) {
        let n = 0;
        while (i + n < text.length && j + n < secret.length && text[i + n] === secret[j + n]) n++;
        if (n >= MIN_SECRET_MATCH) for (let k = i; k < i + n; k++) covered[k] = true;
      }
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) continue;
    if (out.length > 0 && out[out.length - 1] === i) out[out.length - 1] = i + 1;
    else out.push(i, i + 1);
  }
  return out.length > 0 ? out : undefined;
}

describe("SecretIndex", () => {
  // Over {a, b, c} a secret's base64 forms (every group starts with "Y") never match: the
  // index must find exactly what the naive search finds.
  const abc = (min: number, max: number) =>
    fc.array(fc.constantFrom("a", "b", "c"), { minLength: min, maxLength: max }).map((a) => a.join(""));

  it("finds exactly the parts of 8 characters or more that a naive search finds (property)", () => {
    fc.assert(
      fc.property(fc.array(abc(8, 30), { minLength: 1, maxLength: 3 }), abc(0, 80), (secrets, text) => {
        const index = new SecretIndex();
        for (const s of secrets) index.add(s);
        expect(index.ranges(text)).toEqual(naive(text, secrets));
      }),
      { numRuns: 300 },
    );
  });

  it("ignores secrets shorter than 8 characters and finds nothing with none", () => {
    const index = new SecretIndex();
    expect(index.ranges("anything at all")).toBeUndefined();
    index.add("short");
    expect(index.size).toBe(0);
    expect(index.ranges("a short text")).toBeUndefined();
  });
});
