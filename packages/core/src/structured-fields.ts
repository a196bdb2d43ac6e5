// Lenient RFC 9651 Structured Fields parsing shared by the rate-limit header parsers. Internal:
// nothing here is exported from the package.

// A reset or window longer than a year is an epoch timestamp or garbage, never a wait. What
// the governor adopts of a shorter one is bounded by the window it concerns (server-wait.ts).
export const MAX_SECONDS = 366 * 24 * 3600;
// The largest Structured Fields integer (RFC 9651 §3.3.1).
const MAX_COUNT = 999_999_999_999_999;
const TOKEN = /^[A-Za-z*][\w!#$%&'*+\-.^`|~:/]*$/;
const NUMBER = /^-?\d{1,15}(?:\.\d{1,3})?$/;
const BYTES = /^:([A-Za-z0-9+/]*={0,2}):$/;

export type Bare = string | number | boolean | { readonly bytes: string };
// One list member: leading bare items (HF sends two strings), then parameters.
export interface Member {
  readonly items: readonly Bare[];
  readonly params: ReadonlyMap<string, Bare>;
}

// Splits on `sep` outside quoted strings, so `"a,b";r=1` stays one member.
function split(text: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

function unquote(text: string): string | undefined {
  let out = "";
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      const next = text[++i];
      if (next === undefined) return undefined;
      out += next;
    } else if (c === '"') return i === text.length - 1 ? out : undefined;
    else out += c;
  }
  return undefined;
}

function bare(text: string): Bare | undefined {
  if (text.startsWith('"')) return unquote(text);
  const bytes = BYTES.exec(text);
  if (bytes) return { bytes: bytes[1] ?? "" };
  if (text === "?1" || text === "?0") return text === "?1";
  if (NUMBER.test(text)) return Number(text);
  return TOKEN.test(text) ? text : undefined;
}

// Lenient Structured Fields List parsing. Where RFC 9651 would reject the whole header, only
// the member with an unparseable item or parameter is dropped, so one bad entry costs no others.
export function members(header: unknown): Member[] {
  if (typeof header !== "string") return [];
  const out: Member[] = [];
  next: for (const text of split(header, ",")) {
    const items: Bare[] = [];
    const params = new Map<string, Bare>();
    for (const part of split(text, ";")) {
      // Quoted strings and byte sequences may contain `=`; only a bare part is `key=value`.
      const eq = part.startsWith('"') || part.startsWith(":") ? -1 : part.indexOf("=");
      const value = eq > 0 ? bare(part.slice(eq + 1).trim()) : params.size > 0 || bare(part);
      if (value === undefined) continue next;
      if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), value);
      else if (params.size > 0) params.set(part.toLowerCase(), true);
      else items.push(value);
    }
    if (items.length > 0 || params.size > 0) out.push({ items, params });
  }
  return out;
}

// `+ 0` turns `-0` into `0`, which deep equality (and Object.is) would tell apart.
export function count(value: Bare | undefined): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_COUNT
    ? value + 0
    : undefined;
}

export function seconds(value: Bare | undefined): number | undefined {
  return typeof value === "number" && value >= 0 && value <= MAX_SECONDS ? value + 0 : undefined;
}

// An optional parameter that is present but invalid voids its entry rather than being dropped.
export function optional<T>(raw: Bare | undefined, parse: (v: Bare) => T | undefined): T | undefined | null {
  return raw === undefined ? undefined : (parse(raw) ?? null);
}
