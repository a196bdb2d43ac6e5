/** The shortest part of a registered secret that {@link SecretIndex.ranges} finds. */
export const MIN_SECRET_MATCH = 8;

// Every 4-character gram of every secret is indexed, and the text is probed at every 4th
// position only: an 8-character part of a secret always covers one probed gram whole.
const GRAM = 4;
const FILTER_BITS = 1 << 16;
// Where a gram occurs: text index × OFFSETS + offset, one number (most grams occur once).
const OFFSETS = 1 << 12;

// A gram's hash, from its character codes: no substring is made while scanning.
const gramAt = (text: string, i: number): number =>
  (((text.charCodeAt(i) * 31 + text.charCodeAt(i + 1)) * 31 + text.charCodeAt(i + 2)) * 31 +
    text.charCodeAt(i + 3)) &
  0x3fffffff;

const base64 = (bytes: Uint8Array): string => {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
};

// The base64 of `secret` as it appears inside a longer encoded text (an `Authorization:
// Basic …` header, a JSON field): one form per alignment of its first byte, trimmed to the
// characters that depend on the secret alone, in both the standard and the URL alphabet.
function encodedForms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const forms = [encodeURIComponent(secret)];
  for (let align = 0; align < 3; align++) {
    const padded = new Uint8Array(align + bytes.length);
    padded.set(bytes, align);
    const full = base64(padded);
    const pure = full.slice(align === 0 ? 0 : 4, Math.floor(padded.length / 3) * 4);
    forms.push(pure, pure.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return forms;
}

/**
 * @internal The registered secrets, their URL-encoded and base64 forms, indexed so that a
 * scan finds any part of 8 characters or more of any of them in one pass over the text:
 * a map from each 4-character gram to where it occurs, probed every 4th character, each hit
 * extended both ways while it matches.
 */
export class SecretIndex {
  readonly #registered = new Set<string>();
  readonly #texts: string[] = [];
  readonly #indexed = new Set<string>();
  // gram hash → where it occurs (one or a list), behind a bitmap of the hashes.
  readonly #grams = new Map<number, number | number[]>();
  readonly #filter = new Uint8Array(FILTER_BITS >> 3);

  get size(): number {
    return this.#registered.size;
  }

  /** Indexes `secret` and its encoded forms; shorter than {@link MIN_SECRET_MATCH} is ignored. */
  add(secret: string): void {
    if (secret.length < MIN_SECRET_MATCH || this.#registered.has(secret)) return;
    this.#registered.add(secret);
    for (const text of new Set([secret, ...encodedForms(secret)].flatMap(pieces))) {
      if (text.length < MIN_SECRET_MATCH || this.#indexed.has(text)) continue;
      this.#indexed.add(text);
      const id = this.#texts.push(text) - 1;
      for (let offset = 0; offset + GRAM <= text.length; offset++) {
        const gram = gramAt(text, offset);
        this.#filter[(gram & (FILTER_BITS - 1)) >> 3]! |= 1 << (gram & 7);
        const at = this.#grams.get(gram);
        const here = id * OFFSETS + offset;
        if (at === undefined) this.#grams.set(gram, here);
        else if (typeof at === "number") this.#grams.set(gram, [at, here]);
        else at.push(here);
      }
    }
  }

  /**
   * Where parts of secrets sit in `text`: sorted, disjoint `[start, end)` pairs, flattened;
   * undefined when there is none.
   */
  ranges(text: string): number[] | undefined {
    if (this.#grams.size === 0 || text.length < MIN_SECRET_MATCH) return undefined;
    let found: number[] | undefined;
    const filter = this.#filter;
    for (let i = 0; i + GRAM <= text.length; i += GRAM) {
      const gram = gramAt(text, i);
      if ((filter[(gram & (FILTER_BITS - 1)) >> 3]! & (1 << (gram & 7))) === 0) continue;
      const at = this.#grams.get(gram);
      if (at === undefined) continue;
      const hits = typeof at === "number" ? [at] : at;
      for (const hit of hits) {
        const secret = this.#texts[Math.floor(hit / OFFSETS)]!;
        const offset = hit % OFFSETS;
        if (!sameGram(text, i, secret, offset)) continue; // two grams, one hash
        let start = i;
        let from = offset;
        while (start > 0 && from > 0 && text.charCodeAt(start - 1) === secret.charCodeAt(from - 1)) {
          start--;
          from--;
        }
        let end = i + GRAM;
        let to = offset + GRAM;
        while (end < text.length && to < secret.length && text.charCodeAt(end) === secret.charCodeAt(to)) {
          end++;
          to++;
        }
        if (end - start < MIN_SECRET_MATCH) continue;
        found ??= [];
        found.push(start, end);
      }
    }
    return found && merge(found);
  }
}

// A secret longer than OFFSETS (a PEM key) in pieces that overlap by 8 characters less one:
// every 8-character part lies whole in one of them, longer parts in adjacent ones.
function pieces(text: string): string[] {
  if (text.length <= OFFSETS) return [text];
  const out: string[] = [];
  for (let start = 0; start + MIN_SECRET_MATCH - 1 < text.length; start += OFFSETS - MIN_SECRET_MATCH + 1)
    out.push(text.slice(start, start + OFFSETS));
  return out;
}

function sameGram(text: string, i: number, secret: string, offset: number): boolean {
  for (let k = 0; k < GRAM; k++) if (text.charCodeAt(i + k) !== secret.charCodeAt(offset + k)) return false;
  return true;
}

function merge(pairs: number[]): number[] {
  const order: [number, number][] = [];
  for (let i = 0; i < pairs.length; i += 2) order.push([pairs[i]!, pairs[i + 1]!]);
  order.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [start, end] of order) {
    const last = out.length - 1;
    if (last > 0 && start <= out[last]!) out[last] = Math.max(out[last]!, end);
    else out.push(start, end);
  }
  return out;
}
