import type { JsonSchema } from "./chat-types.js";

/** What values are drawn from: the text's numbers and quoted strings, used in order. */
export interface ValueSource {
  readonly text: string;
  readonly numbers: number[];
  readonly quoted: string[];
}

/** A source over `text`. */
export function valueSource(text: string): ValueSource {
  return {
    text,
    numbers: [...text.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0])),
    quoted: [...text.matchAll(/"([^"]+)"|'([^']+)'|“([^”]+)”/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? ""),
  };
}

const MAX_DEPTH = 8;

function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (typeof schema.$ref !== "string" || !schema.$ref.startsWith("#")) return schema;
  let node: unknown = root;
  for (const part of schema.$ref.slice(1).split("/").filter(Boolean))
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  return (node as JsonSchema | undefined) ?? {};
}

function fitString(value: string, schema: JsonSchema): string {
  let out = value;
  if (schema.maxLength !== undefined && out.length > schema.maxLength) out = out.slice(0, schema.maxLength);
  if (schema.minLength !== undefined && out.length < schema.minLength)
    out = out.padEnd(schema.minLength, "x");
  return out;
}

function fitNumber(value: number, schema: JsonSchema, integer: boolean): number {
  let out = integer ? Math.trunc(value) : value;
  if (schema.minimum !== undefined && out < schema.minimum) out = schema.minimum;
  if (schema.maximum !== undefined && out > schema.maximum) out = schema.maximum;
  if (schema.exclusiveMinimum !== undefined && out <= schema.exclusiveMinimum)
    out = schema.exclusiveMinimum + (integer ? 1 : 0.5);
  if (schema.exclusiveMaximum !== undefined && out >= schema.exclusiveMaximum)
    out = schema.exclusiveMaximum - (integer ? 1 : 0.5);
  return out;
}

/**
 * A value that validates against `schema`, drawn deterministically from `source`: the
 * scripted model's structured output (`response_format: json_schema`). Objects get every
 * property (required or not, in order); arrays `minItems` items (at least one); strings
 * the next quoted text, else the text itself, fitted to min/maxLength; numbers the next
 * number of the text, clamped to the bounds; `const`, `enum`, `default` win when present;
 * `anyOf` / `oneOf` take the first branch; local `$ref`s are followed.
 */
export function valueForSchema(schema: JsonSchema, source: ValueSource, root = schema, depth = 0): unknown {
  const s = resolveRef(schema, root);
  if (s.const !== undefined) return s.const;
  if (s.enum && s.enum.length > 0) {
    const lower = source.text.toLowerCase();
    return s.enum.find((v) => typeof v === "string" && lower.includes(v.toLowerCase())) ?? s.enum[0];
  }
  const branch = s.anyOf?.[0] ?? s.oneOf?.[0];
  if (branch) return valueForSchema(branch, source, root, depth);
  if (s.allOf?.length) return valueForSchema(Object.assign({}, ...s.allOf), source, root, depth);
  const types = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type];
  const type = types.find((t) => t !== "null") ?? types[0] ?? (s.properties ? "object" : undefined);
  if (type === "object") {
    const out: Record<string, unknown> = {};
    if (depth >= MAX_DEPTH) return out;
    for (const [name, property] of Object.entries(s.properties ?? {}))
      out[name] = valueForSchema(property, source, root, depth + 1);
    return out;
  }
  if (type === "array") {
    if (depth >= MAX_DEPTH || !s.items) return [];
    const count = Math.max(1, s.minItems ?? 1);
    const items = Array.from({ length: count }, () => valueForSchema(s.items ?? {}, source, root, depth + 1));
    return s.maxItems !== undefined ? items.slice(0, s.maxItems) : items;
  }
  if (s.default !== undefined) return s.default;
  if (type === "string") return fitString(source.quoted.shift() ?? source.text, s);
  if (type === "number" || type === "integer")
    return fitNumber(source.numbers.shift() ?? 0, s, type === "integer");
  if (type === "boolean") return true;
  return null;
}
